"""The wide profile end to end: a dataset with hundreds of custom fields (``generate
--custom-fields``), served by the sandbox, loaded by ``python -m ingestion run --sandbox URL`` in
full and then incrementally after ``mutate``;
the raw tables hold every custom field the account declares, with every value of the files.

This is the integration check of issue 11: with the sandbox enforcing the real URI and body limits,
a source that puts every field name in the URL fails here."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from dlt.common.normalizers.naming.snake_case import NamingConvention

from ingestion.salesforce.settings import SOBJECTS
from ingestion.sandbox.generator import generate, mutate

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("ingestion-wide")]

# 1,000 custom contact properties and 600 fields on each Salesforce object: a list URL naming every
# property is ~20,500 characters (HubSpot answers 414 from ~8,000) and a SOQL GET of every Lead field
# ~17,100 bytes (Salesforce's limit on URI plus headers is 16,384): both limits bite.
CUSTOM_FIELDS = 1_000
SALESFORCE_WIDE = ("Lead", "Contact", "Account", "Opportunity")
HUBSPOT_WIDE = ("contacts", "companies")
_naming = NamingConvention()


def _records(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_bytes().splitlines() if line.strip()]


def _custom(data_dir: Path) -> dict[tuple[str, str], list[str]]:
    """(dataset, table) -> the custom field names schema.json declares for it."""
    declared = json.loads((data_dir / "schema.json").read_text())
    out = {}
    for sobject in SALESFORCE_WIDE:
        out[("raw_salesforce", SOBJECTS[sobject])] = [
            f["name"] for f in declared["salesforce"][sobject]["fields"] if f.get("custom")
        ]
    for name in HUBSPOT_WIDE:
        out[("raw_hubspot", name)] = [
            p["name"] for p in declared["hubspot"][name]["properties"] if not p.get("hubspotDefined")
        ]
    return out


def _filled_in_files(data_dir: Path, dataset: str, table: str, fields: list[str]) -> dict[str, int]:
    """Per field: records of the object with a value (latest version of each record)."""
    if dataset == "raw_salesforce":
        sobject = next(s for s, t in SOBJECTS.items() if t == table)
        records = [r for r in _records(data_dir / "salesforce" / f"{sobject}.jsonl")]
        return {f: sum(r.get(f) is not None for r in records) for f in fields}
    records = _records(data_dir / "hubspot" / f"{table}.jsonl")
    return {f: sum(r["properties"].get(f) is not None for r in records) for f in fields}


def _assert_every_custom_field_loaded(warehouse, data_dir: Path) -> None:
    for (dataset, table), fields in _custom(data_dir).items():
        assert len(fields) >= CUSTOM_FIELDS * 3 // 5, table
        columns = {row[0] for row in warehouse.query(
            "select column_name from information_schema.columns where table_schema = ? and table_name = ?",
            (dataset, table),
        )}
        missing = [f for f in fields if _naming.normalize_path(f) not in columns]
        assert not missing, f"{dataset}.{table} lacks {len(missing)} custom fields, e.g. {missing[:5]}"
        expected = _filled_in_files(data_dir, dataset, table, fields)
        counts = ", ".join(f'count("{_naming.normalize_path(f)}")' for f in fields)
        loaded = dict(zip(fields, warehouse.query(f'select {counts} from {dataset}."{table}"')[0], strict=True))
        differing = {f: (loaded[f], n) for f, n in expected.items() if loaded[f] != n}
        assert not differing, f"{dataset}.{table}: values loaded != in the files for {list(differing.items())[:5]}"


def _run(loader, server) -> None:
    """`python -m ingestion run --sandbox URL`, as the issue's acceptance asks (full, then incremental)."""
    result = loader.cli("--sandbox", server.url, "--no-progress", timeout=900)
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]


def test_full_then_incremental_load_of_a_wide_dataset_holds_every_custom_field(
    duckdb_warehouse, tmp_path, start_sandbox_server, make_loader
):
    data_dir = tmp_path / "wide"
    generate(data_dir, 150, 5, as_of="2024-06-30", custom_fields=CUSTOM_FIELDS)
    server = start_sandbox_server(data_dir)
    loader = make_loader(server, duckdb_warehouse)

    _run(loader, server)
    _assert_every_custom_field_loaded(duckdb_warehouse, data_dir)

    summary = mutate(data_dir, 0.05, 3)
    changed = sum(len(ids) for kinds in json.loads(Path(summary["file"]).read_text())["objects"].values()
                  for ids in kinds.values())
    assert changed > 0
    _run(loader, server)
    _assert_every_custom_field_loaded(duckdb_warehouse, data_dir)
