"""The declared schema the generator writes (``schema.json``) and the wide profile
(``custom_fields``): hundreds of typed custom fields with values, kept by ``mutate``."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest

from ingestion.sandbox import catalog
from ingestion.sandbox.generator import generate, mutate
from tests.sandbox.dataset_checks import DATE, HUBSPOT_DATETIME, SALESFORCE_DATETIME, integrity_problems, load

pytestmark = pytest.mark.xdist_group("sandbox-generator")

AS_OF = date(2024, 6, 30)
WIDE = 500
SF_WIDE = ("Lead", "Contact", "Account", "Opportunity")


@pytest.fixture(scope="module")
def wide(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wide")
    generate(out, 400, 9, AS_OF, custom_fields=WIDE)
    return out


def _declared(directory: Path) -> dict:
    return json.loads((directory / "schema.json").read_text())


def _custom_sf(declared: dict, sobject: str) -> list[dict]:
    return [f for f in declared["salesforce"][sobject]["fields"] if f.get("custom")]


def _custom_hs(declared: dict, name: str) -> list[dict]:
    return [p for p in declared["hubspot"][name]["properties"] if not p.get("hubspotDefined")]


def test_default_schema_json_is_the_standard_declaration(tmp_path):
    generate(tmp_path, 150, 1, AS_OF)
    assert _declared(tmp_path) == json.loads(json.dumps(catalog.STANDARD))
    assert catalog.declared(tmp_path) == json.loads(json.dumps(catalog.STANDARD))


def test_wide_profile_declares_hundreds_of_custom_fields_per_main_object(wide):
    declared = _declared(wide)
    assert len(_custom_hs(declared, "contacts")) == WIDE
    assert len(_custom_hs(declared, "companies")) == WIDE * 3 // 5
    for sobject in SF_WIDE:
        fields = _custom_sf(declared, sobject)
        assert len(fields) == WIDE * 3 // 5, sobject
        assert all(f["name"].endswith("__c") for f in fields)
        names = [f["name"] for f in declared["salesforce"][sobject]["fields"]]
        assert len(names) == len(set(names))
    kinds = {f["type"] for s in SF_WIDE for f in _custom_sf(declared, s)}
    assert kinds == {"picklist", "string", "double", "currency", "percent", "date", "datetime", "boolean",
                     "textarea", "url"}
    hs_kinds = {(p["type"], p["fieldType"]) for p in _custom_hs(declared, "contacts")}
    assert {("string", "text"), ("number", "number"), ("enumeration", "select"), ("date", "date"),
            ("datetime", "date"), ("bool", "booleancheckbox")} <= hs_kinds
    # the standard declarations are kept whole, the custom fields come after them
    for sobject in SF_WIDE:
        standard = catalog.STANDARD["salesforce"][sobject]["fields"]
        assert declared["salesforce"][sobject]["fields"][: len(standard)] == json.loads(json.dumps(standard))
    # the sandbox's catalog reads it back
    assert catalog.declared_fields(wide, "salesforce", "Lead") == declared["salesforce"]["Lead"]["fields"]


def _check_sf_value(kind: str, value) -> bool:
    if kind in ("double", "currency", "percent"):
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "date":
        return isinstance(value, str) and bool(DATE.match(value))
    if kind == "datetime":
        return isinstance(value, str) and bool(SALESFORCE_DATETIME.match(value))
    if kind == "url":
        return isinstance(value, str) and value.startswith("https://")
    return isinstance(value, str) and value != ""


def _check_hs_value(kind: str, value: str) -> bool:
    if kind == "number":
        float(value)
        return True
    if kind == "bool":
        return value in ("true", "false")
    if kind == "date":
        return bool(DATE.match(value))
    if kind == "datetime":
        return bool(HUBSPOT_DATETIME.match(value))
    return value != ""


def test_every_record_carries_every_custom_field_with_values_of_its_type(wide):
    declared, data = _declared(wide), load(wide)
    for sobject in SF_WIDE:
        fields = _custom_sf(declared, sobject)
        records = data[f"salesforce/{sobject}"]
        empty = 0
        for field in fields:
            values = [r[field["name"]] for r in records]
            filled = [v for v in values if v is not None]
            empty += not filled  # a rarely used field may be empty on a small object
            assert all(_check_sf_value(field["type"], v) for v in filled), (sobject, field)
            if field["type"] == "boolean":
                assert len(filled) == len(values)  # a checkbox is never null
            if field["type"] == "picklist":
                assert set(filled) <= {p["value"] for p in field["picklistValues"]}
        assert empty < 0.2 * len(fields), sobject
        nulls = sum(r[f["name"]] is None for r in records for f in fields)
        assert 0.2 < nulls / (len(records) * len(fields)) < 0.8, sobject
    for name in ("contacts", "companies"):
        for prop in _custom_hs(declared, name):
            values = [r["properties"][prop["name"]] for r in data[f"hubspot/{name}"]]
            filled = [v for v in values if v is not None]
            assert all(isinstance(v, str) for v in filled), (name, prop["name"])
            assert all(_check_hs_value(prop["type"], v) for v in filled), (name, prop)
    assert integrity_problems(data) == []


def test_wide_profile_is_deterministic_and_leaves_the_standard_fields_alone(wide, tmp_path):
    generate(tmp_path / "again", 400, 9, AS_OF, custom_fields=WIDE)
    generate(tmp_path / "narrow", 400, 9, AS_OF)
    for path in wide.rglob("*.jsonl"):
        assert (tmp_path / "again" / path.relative_to(wide)).read_bytes() == path.read_bytes(), path
    declared = _declared(wide)
    wide_data, narrow = load(wide), load(tmp_path / "narrow")
    for key, records in narrow.items():
        system, name = key.split("/")
        custom = {f["name"] for f in _custom_sf(declared, name)} if system == "salesforce" and name in SF_WIDE else set()
        hs_custom = {p["name"] for p in _custom_hs(declared, name)} if system == "hubspot" and name in (
            "contacts", "companies") else set()
        for before, after in zip(records, wide_data[key], strict=True):
            after = {k: v for k, v in after.items() if k not in custom}
            if hs_custom:
                after["properties"] = {k: v for k, v in after["properties"].items() if k not in hs_custom}
            assert after == before, key


def test_mutate_keeps_every_custom_field_and_the_declaration(wide, tmp_path):
    work = tmp_path / "data"
    shutil.copytree(wide, work)
    declaration_before = (work / "schema.json").read_bytes()
    before = {p: p.read_bytes().splitlines() for p in work.rglob("*.jsonl")}
    mutate(work, 0.05, 3)
    assert (work / "schema.json").read_bytes() == declaration_before
    declared, data = _declared(work), load(work)
    for sobject in SF_WIDE:
        names = {f["name"] for f in _custom_sf(declared, sobject)}
        assert all(names <= set(r) for r in data[f"salesforce/{sobject}"]), sobject
    names = {p["name"] for p in _custom_hs(declared, "contacts")}
    assert all(names <= set(r["properties"]) for r in data["hubspot/contacts"])
    # untouched lines keep their bytes: the custom values survive being read back and rewritten
    for path, lines in before.items():
        assert len(set(lines) & set(path.read_bytes().splitlines())) >= 0.8 * len(lines), path


def test_custom_fields_out_of_range_is_a_clear_error(tmp_path):
    with pytest.raises(ValueError, match="custom_fields must be from 0 to"):
        generate(tmp_path, 150, 1, AS_OF, custom_fields=-1)


def test_cli_generates_the_wide_profile_and_rejects_a_bad_count(tmp_path):
    import subprocess
    import sys

    def cli(*args):
        return subprocess.run([sys.executable, "-m", "ingestion.sandbox", "generate", *args],
                              capture_output=True, text=True, timeout=300)

    result = cli("--people", "150", "--out", str(tmp_path / "d"), "--as-of", "2024-06-30", "--custom-fields", "50")
    assert result.returncode == 0, result.stderr
    assert "50 custom fields" in result.stdout
    assert len(_custom_hs(_declared(tmp_path / "d"), "contacts")) == 50
    bad = cli("--people", "150", "--out", str(tmp_path / "e"), "--custom-fields", "-3")
    assert bad.returncode == 2 and bad.stderr.startswith("error: custom_fields must be from 0 to")
    assert "Traceback" not in bad.stderr
