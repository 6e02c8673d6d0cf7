"""The HubSpot source works within the real API's limits (as the sandbox enforces them): wide
portals load every property, campaigns arrive with their properties, forms of every type are read,
the lookback catches records the lagging search index missed, the daily limit stops a run at once
with a message naming it, and nested content stays JSON text."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
import requests

from ingestion.hubspot.helpers import epoch_ms
from ingestion.pipelines import IngestionError
from tests.ingestion.conftest import FAST_RETRIES
from tests.sandbox.server_helpers import hs_contact, read_records, write_records
from tests.sandbox.test_server_hubspot_limits import custom_names, write_portal

HUBSPOT = ("hubspot",)


def _contacts(root: Path) -> Path:
    return root / "hubspot" / "contacts.jsonl"


def test_a_portal_with_500_custom_properties_loads_every_one(tmp_path, start_sandbox_server, duckdb_warehouse,
                                                             make_loader):
    root = write_portal(tmp_path / "wide", contacts=250)
    server = start_sandbox_server(root)
    loader = make_loader(server, duckdb_warehouse)
    loader.load(sources=HUBSPOT)

    columns = duckdb_warehouse.columns("raw_hubspot", "contacts")
    assert set(custom_names()) <= set(columns)
    in_file = {r["id"]: r for r in read_records(_contacts(root))}
    rows = duckdb_warehouse.query(
        f"select id, {', '.join(custom_names())} from raw_hubspot.contacts order by id")
    assert len(rows) == len(in_file)
    for row in rows:
        assert list(row[1:]) == [in_file[row[0]]["properties"][name] for name in custom_names()]
    statuses = {s for e in server.stats()["endpoints"].values() for s in e["statuses"]}
    assert statuses <= {"200", "207"}, statuses

    # incremental: a changed record is found by search and batch-read whole
    records = read_records(_contacts(root))
    records[5]["properties"][custom_names()[-1]] = "changed"
    records[5]["properties"]["lastmodifieddate"] = records[5]["updatedAt"] = "2024-06-01T00:00:00.000Z"
    write_records(_contacts(root), records)
    loader.load(sources=HUBSPOT)
    last = custom_names()[-1]
    assert duckdb_warehouse.query(f"select {last} from raw_hubspot.contacts where id = ?",
                                  (records[5]["id"],)) == [("changed",)]


def test_campaigns_arrive_with_their_properties(sandbox_server, sandbox_dataset, duckdb_warehouse, make_loader):
    make_loader(sandbox_server, duckdb_warehouse).load(sources=HUBSPOT)
    in_file = {r["id"]: r["properties"]["hs_name"] for r in read_records(sandbox_dataset / "hubspot" / "campaigns.jsonl")
               if not r.get("archived")}
    loaded = dict(duckdb_warehouse.query("select id, hs_name from raw_hubspot.campaigns"))
    assert loaded == in_file


def _marketing_portal(root: Path) -> Path:
    hubspot = root / "hubspot"
    forms = [{"id": f"form-{kind}", "name": kind, "formType": kind, "createdAt": "2024-01-01T00:00:00.000Z",
              "updatedAt": "2024-01-01T00:00:00.000Z", "archived": False,
              "fieldGroups": [{"groupType": "default_group", "fields": [
                  {"name": "email", "fieldType": "email", "validation": {"blockedEmailDomains": [], "useDefault": True}}
              ]}]}
             for kind in ("hubspot", "captured", "flow")]
    write_records(hubspot / "forms.jsonl", forms)
    submissions = [{"formId": f"form-{kind}", "conversionId": f"conv-{kind}-{i}", "submittedAt": 1_704_067_200_000 + i,
                    "values": [{"name": "email", "value": f"{kind}{i}@example.com"}], "pageUrl": "https://x.test"}
                   for kind in ("hubspot", "captured", "flow") for i in range(3)]
    write_records(hubspot / "form_submissions.jsonl", submissions)
    widgets = {f"widget_{i}": {"type": "rich_text", "body": {"html": f"<p>{i}</p>", "styles": {"margin": {"top": i}}}}
               for i in range(40)}
    emails = [{"id": "30000001", "name": "Launch", "subject": "Hello", "state": "PUBLISHED",
               "campaign": "c-1", "primaryEmailCampaignId": 987, "allEmailCampaignIds": [987, 988],
               "content": {"widgets": widgets, "flexAreas": {"main": {"sections": [{"columns": [{"widgets": ["widget_1"]}]}]}}},
               "createdAt": "2024-01-01T00:00:00.000Z", "updatedAt": "2024-01-02T00:00:00.000Z", "archived": False}]
    write_records(hubspot / "marketing_emails.jsonl", emails)
    return root


def test_forms_of_every_type_and_their_submissions_are_loaded(tmp_path, start_sandbox_server, duckdb_warehouse,
                                                                make_loader):
    server = start_sandbox_server(_marketing_portal(tmp_path / "marketing"))
    make_loader(server, duckdb_warehouse).load(sources=HUBSPOT)
    forms = {row[0] for row in duckdb_warehouse.query("select id from raw_hubspot.forms")}
    assert forms == {"form-hubspot", "form-captured", "form-flow"}
    per_form = dict(duckdb_warehouse.query("select form_id, count(*) from raw_hubspot.form_submissions group by 1"))
    assert per_form == {"form-hubspot": 3, "form-captured": 3, "form-flow": 3}


def test_nested_content_is_json_text_not_columns_or_child_tables(tmp_path, start_sandbox_server, duckdb_warehouse,
                                                                  make_loader):
    server = start_sandbox_server(_marketing_portal(tmp_path / "marketing"))
    make_loader(server, duckdb_warehouse).load(sources=HUBSPOT)
    tables = duckdb_warehouse.tables("raw_hubspot")
    assert not [t for t in tables if "__" in t and not t.startswith("_dlt")], tables  # no child tables
    columns = duckdb_warehouse.columns("raw_hubspot", "marketing_emails")
    assert not [c for c in columns if c.startswith("content__")], columns
    content, all_ids, primary = duckdb_warehouse.query(
        "select content, all_email_campaign_ids, primary_email_campaign_id from raw_hubspot.marketing_emails")[0]
    assert json.loads(all_ids) == [987, 988] and primary == 987
    assert set(json.loads(content)["widgets"]) == {f"widget_{i}" for i in range(40)}
    groups = duckdb_warehouse.query("select field_groups from raw_hubspot.forms where id = 'form-flow'")[0][0]
    assert json.loads(groups)[0]["fields"][0]["name"] == "email"
    values = duckdb_warehouse.query("select \"values\" from raw_hubspot.form_submissions limit 1")[0][0]
    assert json.loads(values)[0]["name"] == "email"


def _stamp(ms: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ms / 1000)) + f".{ms % 1000:03d}Z"


def _changed(record: dict, stamp: str, firstname: str) -> dict:
    record = json.loads(json.dumps(record))
    record["properties"].update(lastmodifieddate=stamp, firstname=firstname)
    record["updatedAt"] = stamp
    return record


def test_the_lookback_loads_a_record_the_lagging_search_missed(tmp_path, start_sandbox_server, duckdb_warehouse,
                                                                make_loader):
    """X is written after Y but carries an earlier modification time (written while the index
    caught up with Y): the run right after X's write cannot see it, and the next run searches from
    Y's time. Only a lookback reaches back to X."""
    lag = 1.0
    root = tmp_path / "portal"
    base = [hs_contact(i) for i in range(20)]
    write_records(_contacts(root), base)
    server = start_sandbox_server(root)
    assert requests.post(f"{server.url}/__sandbox/hubspot/limits", json={"search_lag_seconds": lag}).ok
    loader = make_loader(server, duckdb_warehouse, SOURCES__HUBSPOT__LOOKBACK_SECONDS="120")
    loader.load(sources=HUBSPOT)  # full load: lists read current data

    newest_ms = max(epoch_ms(r["updatedAt"]) for r in base)
    y_stamp, x_stamp = _stamp(newest_ms + 60_000), _stamp(newest_ms + 30_000)
    records = list(base)
    records[1] = _changed(base[1], y_stamp, "Y")
    write_records(_contacts(root), records)
    time.sleep(lag + 0.3)
    loader.load(sources=HUBSPOT)  # the index has Y: the cursor moves to Y's time
    records[2] = _changed(base[2], x_stamp, "X")
    write_records(_contacts(root), records)
    loader.load(sources=HUBSPOT)  # X was just written: not in the index yet
    time.sleep(lag + 0.3)
    loader.load(sources=HUBSPOT)  # X is indexed now, behind the cursor

    names = dict(duckdb_warehouse.query("select id, firstname from raw_hubspot.contacts where id in (?, ?)",
                                        (base[1]["id"], base[2]["id"])))
    assert names == {base[1]["id"]: "Y", base[2]["id"]: "X"}
    assert duckdb_warehouse.query("select count(*), count(distinct id) from raw_hubspot.contacts") == [(20, 20)]


def test_the_daily_limit_stops_the_run_at_once_naming_it(tmp_path, start_sandbox_server, duckdb_warehouse,
                                                         make_loader):
    server = start_sandbox_server(write_portal(tmp_path / "portal", contacts=30, custom=5))
    assert requests.post(f"{server.url}/__sandbox/hubspot/limits", json={"daily_limit": 3}).ok
    with pytest.raises(IngestionError) as failure:
        make_loader(server, duckdb_warehouse).load(sources=HUBSPOT)
    message = str(failure.value)
    assert "\n" not in message
    assert "daily API limit of 3 requests" in message and "resets at midnight" in message
    refused = sum(e["statuses"].get("429", 0) for e in server.stats()["endpoints"].values())
    assert refused == 1  # not retried


def test_the_ten_secondly_limit_is_still_retried(tmp_path, start_sandbox_server, duckdb_warehouse, make_loader):
    storm = [{"kind": "rate_limit", "api": "hubspot", "path": "/crm/v3/objects/contacts/batch/read", "count": 2,
              "retry_after": 0}]
    server = start_sandbox_server(write_portal(tmp_path / "portal", contacts=30, custom=5), faults=storm)
    make_loader(server, duckdb_warehouse, **FAST_RETRIES).load(sources=HUBSPOT)
    assert sum(server.stats()["faults"].values()) == 2
    assert duckdb_warehouse.count("raw_hubspot", "contacts") == 30
