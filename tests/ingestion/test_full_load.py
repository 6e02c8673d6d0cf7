"""A first run is a full load: every object of the contract lands in its raw table, as many rows
as the sandbox's files hold, in the raw-layer shape the dbt models read."""

from __future__ import annotations

import pytest

from ingestion.salesforce.settings import SOBJECTS
from tests.ingestion.conftest import file_counts

pytestmark = pytest.mark.slow

HUBSPOT_TABLES = {
    "contacts", "companies", "owners", "campaigns", "marketing_emails", "email_events", "forms",
    "form_submissions",
}


def test_full_load_row_counts_equal_source_files(warehouse, sandbox_server, sandbox_dataset, make_loader):
    make_loader(sandbox_server, warehouse).load()

    expected = file_counts(sandbox_dataset)
    assert {table for (dataset, table) in expected if dataset == "raw_salesforce"} == set(SOBJECTS.values())
    assert {table for (dataset, table) in expected if dataset == "raw_hubspot"} == HUBSPOT_TABLES
    loaded = {(dataset, table): warehouse.count(dataset, table) for (dataset, table) in expected}
    assert loaded == expected
    # form submission field values are the nested table dlt makes, one row per value
    values = sum(warehouse.query('select count(*) from raw_hubspot.form_submissions__values')[0])
    assert values >= expected[("raw_hubspot", "form_submissions")]


def test_raw_layer_shape(duckdb_warehouse, sandbox_server, sandbox_dataset, make_loader):
    make_loader(sandbox_server, duckdb_warehouse).load()
    wh = duckdb_warehouse

    lead = wh.columns("raw_salesforce", "lead")
    assert not any(name.startswith("attributes") for name in lead)
    assert {"id", "is_deleted", "system_modstamp", "converted_contact_id", "_dlt_load_id", "_dlt_id"} <= set(lead)
    assert lead["system_modstamp"].startswith("TIMESTAMP")
    assert lead["converted_date"] == "DATE"
    assert wh.columns("raw_salesforce", "opportunity")["amount"] == "DOUBLE"
    assert "currency_iso_code" in wh.columns("raw_salesforce", "account")

    contacts = wh.columns("raw_hubspot", "contacts")
    assert "properties" not in contacts and not any(c.startswith("properties__") for c in contacts)
    assert {"id", "email", "lifecyclestage", "hs_lifecyclestage_lead_date", "associatedcompanyid",
            "created_at", "updated_at", "archived"} <= set(contacts)
    # HubSpot property values stay text (staging casts); record timestamps are timestamps
    assert contacts["hs_lifecyclestage_lead_date"] == "VARCHAR"
    assert contacts["updated_at"].startswith("TIMESTAMP")
    assert wh.columns("raw_hubspot", "email_events")["created"] == "BIGINT"
    assert "email" in wh.columns("raw_hubspot", "form_submissions")

    # every submission with an email value has it lifted to the top-level column
    missing = wh.query(
        "select count(*) from raw_hubspot.form_submissions s join raw_hubspot.form_submissions__values v"
        " on v._dlt_parent_id = s._dlt_id where v.name = 'email' and s.email is distinct from v.value"
    )[0][0]
    assert missing == 0

    # soft deletes arrive as flags: as many as the files hold
    deleted_in_files = _count_matching(sandbox_dataset / "salesforce", b'"IsDeleted":true')
    deleted_loaded = sum(
        wh.query(f'select count(*) from raw_salesforce."{table}" where is_deleted')[0][0] for table in SOBJECTS.values()
    )
    assert deleted_loaded == deleted_in_files
    archived_in_file = _count_matching(sandbox_dataset / "hubspot", b'"archived":true', "contacts.jsonl")
    assert wh.query("select count(*) from raw_hubspot.contacts where archived")[0][0] == archived_in_file


def _count_matching(directory, needle: bytes, pattern: str = "*.jsonl") -> int:
    return sum(line.count(needle) for path in directory.glob(pattern) for line in path.read_bytes().splitlines())
