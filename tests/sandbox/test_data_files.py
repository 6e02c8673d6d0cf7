"""The data directory as the sandbox reads it: malformed lines are refused loudly, and the declared
schema (standard objects plus ``schema.json``) is what the account holds."""

from __future__ import annotations

import json

import requests

from ingestion.sandbox import catalog
from ingestion.sandbox.server import SandboxServer
from tests.sandbox.server_helpers import HS_HEADERS, SF, hs_contact, sf_headers, sf_record, write_records


def test_a_malformed_line_is_an_error_naming_file_and_line(tmp_path):
    path = tmp_path / "salesforce" / "Widget__c.jsonl"
    write_records(path, [sf_record(1), sf_record(2)])
    path.write_bytes(path.read_bytes() + b'{"Id": "a0X000000000000003", "Name": \n')
    write_records(tmp_path / "hubspot" / "contacts.jsonl", [hs_contact(1)])
    contacts = tmp_path / "hubspot" / "contacts.jsonl"
    contacts.write_bytes(b"\n" + contacts.read_bytes() + b"[1, 2]\n")
    with SandboxServer(tmp_path) as server:
        answer = requests.get(f"{server.url}{SF}/query", params={"q": "SELECT Id FROM Widget__c"},
                              headers=sf_headers(server.url))
        hubspot = requests.get(f"{server.url}/crm/v3/objects/contacts", headers=HS_HEADERS)
    assert answer.status_code == 500
    assert "Widget__c.jsonl, line 3" in answer.json()[0]["message"]
    assert hubspot.status_code == 500
    assert "contacts.jsonl, line 3" in hubspot.json()["message"]


def test_schema_json_replaces_a_declaration_and_null_removes_an_object(tmp_path):
    assert catalog.declared(tmp_path) is catalog.STANDARD
    lead = catalog.declared_fields(tmp_path, "salesforce", "Lead")
    assert {"name": "Status", "type": "picklist"} in lead
    custom = {"keyPrefix": "00Q", "fields": [*lead, {"name": "Rating__c", "type": "picklist", "custom": True}]}
    (tmp_path / catalog.SCHEMA_FILE).write_text(json.dumps({"salesforce": {"Lead": custom, "Event": None}}))
    assert catalog.declared_fields(tmp_path, "salesforce", "Lead")[-1]["name"] == "Rating__c"
    assert "Event" not in catalog.declared_objects(tmp_path, "salesforce")
    assert catalog.declared_fields(tmp_path, "salesforce", "Event") is None
    assert "Event" in catalog.declared_objects(tmp_path / "elsewhere", "salesforce")
