"""The sandbox's Bulk API 2.0 driven by simple-salesforce's ``bulk2`` client, as a user's export
script would: a query job created, waited for (the client polls until JobComplete) and its CSV
results read page by page until the ``Sforce-Locator`` says ``null``."""

from __future__ import annotations

import csv
import io

import pytest
import requests
from simple_salesforce import Salesforce

from tests.fixtures.sandbox import SANDBOX_CREDENTIALS
from tests.sandbox.sdk_fixtures import start_tls_sandbox, tls_ca, tls_ca_file, tls_server_context  # noqa: F401
from tests.sandbox.server_helpers import sf_record, write_records

WIDGETS = 2_500


@pytest.fixture
def sf(tmp_path, start_tls_sandbox, tls_ca_file, monkeypatch) -> Salesforce:
    write_records(tmp_path / "salesforce" / "Widget__c.jsonl",
                  [sf_record(i, IsDeleted=i % 10 == 0, Note__c=f'a "quoted", {i}') for i in range(WIDGETS)])
    server = start_tls_sandbox(tmp_path)
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
    https = requests.Session()
    https.verify = str(tls_ca_file)
    token = https.post(f"{server.url}/services/oauth2/token", data={
        "grant_type": "client_credentials", "client_id": SANDBOX_CREDENTIALS["sf_client_id"],
        "client_secret": SANDBOX_CREDENTIALS["sf_client_secret"]}).json()
    return Salesforce(instance_url=token["instance_url"], session_id=token["access_token"], session=https)


def _rows(pages) -> list[dict]:
    rows = []
    for page in pages:
        rows += list(csv.DictReader(io.StringIO(page)))
    return rows


def test_bulk2_query_and_query_all(sf):
    live = _rows(sf.bulk2.Widget__c.query("SELECT Id, Note__c, IsDeleted FROM Widget__c", max_records=1000,
                                          wait=0.05))
    assert len(live) == WIDGETS - WIDGETS // 10 and {r["IsDeleted"] for r in live} == {"false"}
    assert live[0]["Note__c"] == 'a "quoted", 1'
    everything = _rows(sf.bulk2.Widget__c.query_all("SELECT Id, IsDeleted FROM Widget__c", max_records=1000,
                                                    wait=0.05))
    assert len(everything) == WIDGETS and sum(r["IsDeleted"] == "true" for r in everything) == WIDGETS // 10
    assert len({r["Id"] for r in everything}) == WIDGETS
