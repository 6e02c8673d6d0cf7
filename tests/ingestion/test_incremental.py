"""Later runs load only what changed: after ``mutate`` (1 % of records updated, inserted or
deleted) the incremental run asks the APIs only for changed records, and the warehouse ends up
equal to a fresh full load of the mutated data, table contents compared."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ingestion.hubspot.helpers import epoch_ms
from ingestion.hubspot.settings import DEFAULT_LOOKBACK_SECONDS, FORM_SUBMISSIONS_LIMIT
from ingestion.salesforce.settings import LOOKBACK_SECONDS, SOBJECTS
from ingestion.sandbox.server.columns import parse_datetime_ms
from ingestion.sandbox.generator import mutate

pytestmark = pytest.mark.slow

# Objects whose API filters by modification time on the server; their request statistics must show
# only changed records. (Owners, campaigns, emails and forms have no such filter and are small:
# they are listed whole.)
SEARCHED_CRM = {"hubspot/contacts": "lastmodifieddate", "hubspot/companies": "hs_lastmodifieddate"}


def _records(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_bytes().splitlines() if line.strip()]


def _expected_served(data_dir: Path, mutation: dict) -> dict[str, int]:
    """Records a correct incremental run requests, per object: the changed ones plus those that
    share the previous run's last cursor value (re-read with >=, then dropped by dlt's dedup), and
    those within the lookback before it; HubSpot CRM records are served twice (found, then
    batch-read)."""
    expected: dict[str, int] = {}
    previous = mutation["previous_max_modified"]
    lookback_ms = DEFAULT_LOOKBACK_SECONDS * 1000
    for sobject in SOBJECTS:
        key = f"salesforce/{sobject}"
        records = _records(data_dir / "salesforce" / f"{sobject}.jsonl")
        since = parse_datetime_ms(previous[key]) - LOOKBACK_SECONDS * 1000
        expected[key] = sum(1 for r in records if parse_datetime_ms(r["SystemModstamp"]) >= since)
    for key, prop in SEARCHED_CRM.items():
        records = _records(data_dir / "hubspot" / f"{key.split('/')[1]}.jsonl")
        since = epoch_ms(previous[key]) - lookback_ms
        searched = sum(1 for r in records if not r["archived"] and epoch_ms(r["properties"][prop]) >= since)
        archived = sum(1 for r in records if r["archived"])  # listed whole on every run
        expected[key] = 2 * (searched + archived)
    # Form submissions come newest first: a form is paged until the page holding its first
    # submission older than the last run's newest, so past its new ones at most one page is read.
    newer: dict[str, int] = {}
    per_form: dict[str, int] = {}
    for submission in _records(data_dir / "hubspot" / "form_submissions.jsonl"):
        form = submission["formId"]
        per_form[form] = per_form.get(form, 0) + 1
        newer[form] = newer.get(form, 0) + (
            submission["submittedAt"] >= previous["hubspot/form_submissions"] - lookback_ms
        )
    page = FORM_SUBMISSIONS_LIMIT
    expected["hubspot/form_submissions"] = sum(
        min(count, page * (newer[form] // page + 1)) for form, count in per_form.items()
    )
    events = _records(data_dir / "hubspot" / "email_events.jsonl")
    expected["hubspot/email_events"] = sum(
        1 for e in events if e["created"] >= previous["hubspot/email_events"] - lookback_ms
    )
    return expected


def test_incremental_run_reads_only_changes_and_equals_full_load(
    warehouse, make_warehouse, sandbox_dataset_copy, start_sandbox_server, make_loader
):
    data_dir = sandbox_dataset_copy
    server = start_sandbox_server(data_dir)
    loader = make_loader(server, warehouse)
    loader.load()

    summary = mutate(data_dir, 0.01, 7)
    mutation = json.loads(Path(summary["file"]).read_text())
    changed = {key: sum(len(ids) for ids in kinds.values()) for key, kinds in mutation["objects"].items()}
    assert sum(changed.values()) > 0

    server.reset_stats()
    loader.load()
    served = {key: stats["records"] for key, stats in server.stats()["objects"].items()}

    expected = _expected_served(data_dir, mutation)
    for key, count in expected.items():
        assert served.get(key, 0) == count, key
        # the changed records are among them, and nothing close to the whole object is re-read
        api, name = key.split("/")
        total = len(_records(data_dir / api / f"{name}.jsonl"))
        if key.startswith("salesforce/") or key in ("hubspot/email_events", "hubspot/form_submissions"):
            assert count >= changed[key], key
        if key != "hubspot/form_submissions":  # at this scale one page per form is most of them
            assert count <= max(10, 0.1 * total), key

    # equal to a fresh full load of the mutated data, table by table, row by row
    reference = make_warehouse(warehouse.target)
    make_loader(server, reference, name="reference").load()
    for dataset in ("raw_salesforce", "raw_hubspot"):
        assert warehouse.snapshot(dataset) == reference.snapshot(dataset), dataset

    # deletes arrive as soft deletes
    for sobject, table in SOBJECTS.items():
        for record_id in mutation["objects"][f"salesforce/{sobject}"]["deleted"]:
            rows = warehouse.query(f'select is_deleted from raw_salesforce."{table}" where id = ?', (record_id,))
            assert rows == [(True,)], (table, record_id)
    for record_id in mutation["objects"]["hubspot/contacts"]["deleted"]:
        rows = warehouse.query("select archived from raw_hubspot.contacts where id = ?", (record_id,))
        assert rows == [(True,)], record_id
    # inserts arrive
    for record_id in mutation["objects"]["hubspot/contacts"]["inserted"]:
        assert warehouse.query("select count(*) from raw_hubspot.contacts where id = ?", (record_id,)) == [(1,)]


def _lookback_window(data_dir: Path) -> dict[str, int]:
    """Records per Salesforce table within LOOKBACK_SECONDS of the table's newest SystemModstamp."""
    window = {}
    for sobject, table in SOBJECTS.items():
        path = data_dir / "salesforce" / f"{sobject}.jsonl"
        stamps = [parse_datetime_ms(r["SystemModstamp"]) for r in _records(path)] if path.exists() else []
        window[table] = sum(1 for s in stamps if s >= max(stamps) - LOOKBACK_SECONDS * 1000) if stamps else 0
    return window


def test_rerun_without_changes_writes_nothing_new(duckdb_warehouse, sandbox_server, make_loader):
    loader = make_loader(sandbox_server, duckdb_warehouse)
    loader.load()
    before = {d: duckdb_warehouse.snapshot(d) for d in ("raw_salesforce", "raw_hubspot")}
    sandbox_server.reset_stats()
    infos = loader.load(sources=("salesforce",))
    served = sandbox_server.stats()["objects"]
    # only the records of the lookback window before the last cursor value are read again, and
    # written again (merged by Id: the warehouse does not change)
    in_window = {SOBJECTS[k.split("/", 1)[1]]: v["records"] for k, v in served.items() if k.startswith("salesforce/")}
    expected_window = _lookback_window(sandbox_server.data_dir)
    assert in_window == {t: n for t, n in expected_window.items() if n or t in in_window}
    row_counts = infos[0].pipeline.last_trace.last_normalize_info
    written = {t: n for t, n in row_counts.row_counts.items() if not t.startswith("_dlt")} if row_counts else {}
    assert written == {t: n for t, n in expected_window.items() if n}
    after = {d: duckdb_warehouse.snapshot(d) for d in ("raw_salesforce", "raw_hubspot")}
    assert after == before
