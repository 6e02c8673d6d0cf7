"""``mutate``: changes about the asked fraction, only moves modification times forward, reports
exactly what changed, keeps integrity, and is deterministic for a seed."""

from __future__ import annotations

import json
import shutil
from datetime import date, datetime
from pathlib import Path

import pytest

from ingestion.sandbox.generator import generate, mutate
from tests.sandbox.dataset_checks import funnel_problems, integrity_problems, load

pytestmark = pytest.mark.xdist_group("sandbox-generator")

FRACTION = 0.05
ID_FIELD = {"hubspot/form_submissions": "conversionId"}
EPOCH_FIELD = {"hubspot/email_events": "created", "hubspot/form_submissions": "submittedAt"}


def _ms(text) -> int:
    if isinstance(text, int):
        return text
    return int(datetime.fromisoformat(text.replace("Z", "+00:00").replace("+0000", "+00:00")).timestamp() * 1000)


def _id(key: str, record: dict) -> str:
    return record[ID_FIELD.get(key, "Id" if key.startswith("salesforce/") else "id")]


def _modified(key: str, record: dict) -> int:
    if key in EPOCH_FIELD:
        return record[EPOCH_FIELD[key]]
    return _ms(record["SystemModstamp" if key.startswith("salesforce/") else "updatedAt"])


def _lines_by_id(directory: Path) -> dict[str, dict[str, bytes]]:
    out = {}
    for system in ("salesforce", "hubspot"):
        for path in (directory / system).glob("*.jsonl"):
            key = f"{system}/{path.stem}"
            out[key] = {_id(key, json.loads(line)): line for line in path.read_bytes().splitlines()}
    return out


@pytest.fixture(scope="module")
def original(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("original")
    generate(out, 2000, 21, date(2024, 6, 30))
    return out


@pytest.fixture(scope="module")
def mutated(original, tmp_path_factory):
    work = tmp_path_factory.mktemp("mutated") / "data"
    shutil.copytree(original, work)
    before = load(work)
    manifest_before = json.loads((work / "manifest.json").read_text())
    result = mutate(work, FRACTION, 7)
    return work, before, manifest_before, result, load(work)


def _changed(log: dict, key: str) -> set[str]:
    return set().union(*(set(ids) for ids in log["objects"][key].values()))


def test_report_and_log_agree_and_are_disjoint(mutated):
    work, _, _, result, _ = mutated
    assert result["mutation"] == 1
    log = json.loads(Path(result["file"]).read_text())
    assert Path(result["file"]) == work / "mutations" / "1.json"
    for key, counts in result["objects"].items():
        ids = log["objects"][key]
        assert {kind: len(v) for kind, v in ids.items()} == counts
        assert len(_changed(log, key)) == sum(counts.values()), key  # no id in two lists


def test_changed_ids_are_exactly_the_records_past_the_previous_max(mutated):
    _, before, manifest_before, result, after = mutated
    log = json.loads(Path(result["file"]).read_text())
    previous_global = max(
        [_ms(manifest_before["as_of"])] + [_ms(v) for v in manifest_before["max_modified"].values()]
    )
    for key, records in after.items():
        per_object = _ms(manifest_before["max_modified"][key])
        past_global = {_id(key, r) for r in records if _modified(key, r) > previous_global}
        past_object = {_id(key, r) for r in records if _modified(key, r) > per_object}
        assert past_global == past_object == _changed(log, key), key
        assert log["previous_max_modified"][key] == manifest_before["max_modified"][key]


def test_untouched_records_are_byte_identical_and_touched_ones_only_move_forward(original, mutated):
    work, before, _, result, after = mutated
    log = json.loads(Path(result["file"]).read_text())
    old_lines, new_lines = _lines_by_id(original), _lines_by_id(work)
    for key in old_lines:
        changed = _changed(log, key)
        inserted = set(log["objects"][key]["inserted"])
        assert set(new_lines[key]) == set(old_lines[key]) | inserted, key
        assert not inserted & set(old_lines[key])
        for record_id, line in old_lines[key].items():
            if record_id not in changed:
                assert new_lines[key][record_id] == line, (key, record_id)
        old = {_id(key, r): r for r in before[key]}
        for r in after[key]:
            rid = _id(key, r)
            if rid in old and rid in changed:
                assert _modified(key, r) > _modified(key, old[rid])
                for created in ("CreatedDate", "createdAt"):
                    if created in r:
                        assert r[created] == old[rid][created], (key, rid)


def test_deletes_are_soft_and_stay_in_the_files(mutated):
    _, before, _, result, after = mutated
    log = json.loads(Path(result["file"]).read_text())
    deleted_somewhere = False
    for key, records in after.items():
        gone = set(log["objects"][key]["deleted"])
        deleted_somewhere |= bool(gone)
        for r in records:
            if _id(key, r) in gone:
                if key.startswith("salesforce/"):
                    assert r["IsDeleted"] is True
                else:
                    assert r["archived"] is True and r["archivedAt"] == r["updatedAt"]
    assert deleted_somewhere
    for key in ("salesforce/Lead", "salesforce/Task", "hubspot/contacts"):
        assert log["objects"][key]["deleted"], key


def test_touches_about_the_fraction_of_each_large_object(mutated):
    _, before, _, result, _ = mutated
    derived = {"salesforce/OpportunityHistory", "salesforce/Opportunity"}
    checked = 0
    for key, counts in result["objects"].items():
        live = [r for r in before[key] if not r.get("IsDeleted") and not r.get("archived")]
        if len(live) < 400 or key in derived:
            continue
        share = sum(counts.values()) / len(live)
        assert 0.5 * FRACTION <= share <= 2 * FRACTION, (key, share)
        checked += 1
    assert checked >= 6
    kinds = {kind for counts in result["objects"].values() for kind, n in counts.items() if n}
    assert kinds == {"updated", "inserted", "deleted"}


def test_integrity_formats_and_funnel_hold_after_mutate(mutated):
    work, _, _, result, after = mutated
    assert integrity_problems(after) == []
    assert funnel_problems(after["hubspot/contacts"], _ms) == []
    manifest = json.loads((work / "manifest.json").read_text())
    as_of = _ms(manifest["as_of"])
    assert manifest["mutations"] == 1 and manifest["as_of"] == result["as_of"]
    for key, records in after.items():
        assert manifest["counts"][key] == len(records)
        assert all(_modified(key, r) <= as_of for r in records), key
        if key.startswith("salesforce/"):
            assert all(r["LastModifiedDate"] == r["SystemModstamp"] for r in records)
            assert all(r["attributes"]["url"].endswith("/" + r["Id"]) for r in records)
    for name, prop in (("contacts", "lastmodifieddate"), ("companies", "hs_lastmodifieddate")):
        for r in after[f"hubspot/{name}"]:
            assert r["properties"][prop] == r["updatedAt"] and r["properties"]["createdate"] == r["createdAt"]
            assert r["properties"]["hs_object_id"] == r["id"]
    assert not [p for p in work.rglob("*") if p.name.endswith(".tmp")]


def test_mutate_is_deterministic_for_a_seed(original, tmp_path):
    runs = {}
    for name, seed in (("a", 3), ("b", 3), ("c", 4)):
        shutil.copytree(original, tmp_path / name)
        mutate(tmp_path / name, 0.02, seed)
        runs[name] = {str(p.relative_to(tmp_path / name)): p.read_bytes() for p in (tmp_path / name).rglob("*") if p.is_file()}
    assert runs["a"] == runs["b"]
    assert runs["a"] != runs["c"]


def test_a_second_mutation_moves_past_the_first(mutated, tmp_path):
    work, _, _, first, _ = mutated
    again = tmp_path / "again"
    shutil.copytree(work, again)
    second = mutate(again, 0.01, 8)
    assert second["mutation"] == 2 and second["as_of"] > first["as_of"]
    log = json.loads((again / "mutations" / "2.json").read_text())
    data = load(again)
    first_max = max(_ms(first["as_of"]), *(_ms(v) for v in log["previous_max_modified"].values()))
    for key, records in data.items():
        assert {_id(key, r) for r in records if _modified(key, r) > first_max} == _changed(log, key)
    assert integrity_problems(data) == []


@pytest.mark.parametrize("fraction", [-0.1, 1.5, float("nan"), "0.1", None])
def test_bad_fraction_is_a_clear_error(original, fraction):
    with pytest.raises(ValueError, match="fraction must be"):
        mutate(original, fraction, 1)


def test_mutate_needs_a_generated_directory(tmp_path):
    with pytest.raises(ValueError, match="manifest.json"):
        mutate(tmp_path, 0.1, 1)
