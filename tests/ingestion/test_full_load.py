"""A first run is a full load: every object of the contract lands in its raw table, as many rows
as the sandbox's files hold, in the raw-layer shape the dbt models read."""

from __future__ import annotations

import json

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
    # form submission field values stay one JSON column: every submission has its values
    values = [_json(row[0]) for row in warehouse.query('select "values" from raw_hubspot.form_submissions')]
    assert len(values) == expected[("raw_hubspot", "form_submissions")]
    assert all(isinstance(fields, list) and fields and {"name", "value"} <= set(fields[0]) for fields in values)


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
    submissions = wh.query('select "values", email from raw_hubspot.form_submissions')
    with_email = [
        (email, [field["value"] for field in _json(values) if field["name"] == "email"])
        for values, email in submissions
    ]
    assert sum(1 for _, emails in with_email if emails) > len(submissions) / 2
    assert all(email == (emails[0] if emails else None) for email, emails in with_email)

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


def _json(value):
    # DuckDB returns a JSON column as text, psycopg returns jsonb decoded
    return json.loads(value) if isinstance(value, str) else value
