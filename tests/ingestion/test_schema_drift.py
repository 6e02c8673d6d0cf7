"""Schema drift, by dropping modified JSONL files into the sandbox's data directory:

- a new field becomes a new column and breaks nothing (both sources);
- a HubSpot value of a new type lands in a variant column (contract ``data_type: evolve``);
- a Salesforce value contradicting its describe type is refused with a clear error naming table and
  column (contract ``data_type: freeze``), nothing of that run is loaded, and once the source is
  fixed the next run loads the record.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ingestion.pipelines import IngestionError

pytestmark = pytest.mark.slow

LATER = "2030-01-01T00:00:00.000+0000"


def _read(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def _write(path: Path, records: list[dict]) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text("".join(json.dumps(r) + "\n" for r in records))
    tmp.replace(path)  # a new inode: the server serves the new version


def _touch_salesforce(path: Path, count: int, **fields) -> list[str]:
    records = _read(path)
    touched = []
    for record in records[:count]:
        record.update(fields)
        record["SystemModstamp"] = record["LastModifiedDate"] = LATER
        touched.append(record["Id"])
    _write(path, records)
    return touched


def _declare_salesforce_field(data: Path, sobject: str, field: dict) -> None:
    """An admin adds a custom field: the org's declaration (``schema.json``) gains it."""
    from ingestion.sandbox.catalog import SCHEMA_FILE, declared

    path = data / SCHEMA_FILE
    document = json.loads(path.read_text()) if path.exists() else {}
    declaration = dict(declared(data)["salesforce"][sobject])
    declaration["fields"] = [*declaration["fields"], field]
    document.setdefault("salesforce", {})[sobject] = declaration
    path.write_text(json.dumps(document))


def _append_events(path: Path, count: int, **fields) -> list[str]:
    records = _read(path)
    newest = max(r["created"] for r in records)
    added = []
    for i in range(count):
        event = {**records[i], **fields, "id": f"drift-{i}-{newest}", "created": newest + 1000 + i}
        records.append(event)
        added.append(event["id"])
    _write(path, records)
    return added


def test_new_fields_become_columns(duckdb_warehouse, sandbox_dataset_copy, start_sandbox_server, make_loader):
    data = sandbox_dataset_copy
    loader = make_loader(start_sandbox_server(data), duckdb_warehouse)
    loader.load()
    leads_before = duckdb_warehouse.count("raw_salesforce", "lead")

    _declare_salesforce_field(data, "Lead", {"name": "Rating__c", "type": "picklist", "custom": True})
    touched = _touch_salesforce(data / "salesforce" / "Lead.jsonl", 5, Rating__c="Hot")
    added = _append_events(data / "hubspot" / "email_events.jsonl", 3, browser="Firefox")
    loader.load()

    lead_columns = duckdb_warehouse.columns("raw_salesforce", "lead")
    assert "rating__c" in lead_columns, lead_columns  # custom fields keep their __c
    rated = duckdb_warehouse.query("select id from raw_salesforce.lead where rating__c = 'Hot' order by id")
    assert [r[0] for r in rated] == sorted(touched)
    assert duckdb_warehouse.count("raw_salesforce", "lead") == leads_before
    assert "browser" in duckdb_warehouse.columns("raw_hubspot", "email_events")
    browsers = duckdb_warehouse.query("select id from raw_hubspot.email_events where browser = 'Firefox' order by id")
    assert [r[0] for r in browsers] == sorted(added)


def test_hubspot_type_change_lands_in_variant_column(duckdb_warehouse, sandbox_dataset_copy, start_sandbox_server, make_loader):
    data = sandbox_dataset_copy
    loader = make_loader(start_sandbox_server(data), duckdb_warehouse)
    loader.load()
    assert duckdb_warehouse.columns("raw_hubspot", "email_events")["email_campaign_id"] == "BIGINT"

    added = _append_events(data / "hubspot" / "email_events.jsonl", 2, emailCampaignId="campaign-abc")
    loader.load()

    columns = duckdb_warehouse.columns("raw_hubspot", "email_events")
    assert columns["email_campaign_id"] == "BIGINT"  # the column keeps its type
    variant = [c for c in columns if c.startswith("email_campaign_id__v_")]
    assert variant == ["email_campaign_id__v_text"]
    rows = duckdb_warehouse.query(
        "select id, email_campaign_id, email_campaign_id__v_text from raw_hubspot.email_events"
        " where email_campaign_id__v_text is not null order by id"
    )
    assert rows == [(event_id, None, "campaign-abc") for event_id in sorted(added)]


def test_salesforce_type_change_is_refused_then_loads_when_fixed(
    duckdb_warehouse, sandbox_dataset_copy, start_sandbox_server, make_loader
):
    data = sandbox_dataset_copy
    loader = make_loader(start_sandbox_server(data), duckdb_warehouse)
    loader.load()
    accounts = data / "salesforce" / "Account.jsonl"
    original = _read(accounts)
    before = duckdb_warehouse.snapshot("raw_salesforce")

    _touch_salesforce(accounts, 1, NumberOfEmployees="lots")
    with pytest.raises(IngestionError) as refused:
        loader.load(sources=("salesforce",))
    message = str(refused.value)
    assert "schema contract refused data" in message
    assert "table `account`" in message and "number_of_employees" in message
    assert duckdb_warehouse.snapshot("raw_salesforce") == before  # nothing of that run loaded

    # the same refusal on the next run: the refused data was not left behind as "loaded"
    with pytest.raises(IngestionError):
        loader.load(sources=("salesforce",))

    fixed = _read(accounts)
    fixed[0]["NumberOfEmployees"] = 4321
    _write(accounts, fixed)
    loader.load(sources=("salesforce",))
    assert duckdb_warehouse.query(
        "select number_of_employees, system_modstamp = timestamptz '2030-01-01 00:00:00+00'"
        " from raw_salesforce.account where id = ?",
        (original[0]["Id"],),
    ) == [(4321, True)]
    assert not any(c.startswith("number_of_employees__v") for c in duckdb_warehouse.columns("raw_salesforce", "account"))
