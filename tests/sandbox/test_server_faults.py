"""Fault injection: each fault gives the real API's error shape, deterministically, and the admin
endpoints and statistics report what happened."""

from __future__ import annotations

import time

import pytest
import requests

from ingestion.sandbox.client import SandboxClient
from tests.sandbox.server_helpers import SF, HS_HEADERS, assert_hs_error, assert_sf_error, sf_headers, sf_record, \
    write_records

CONTACTS = "/crm/v3/objects/contacts"


def _contacts(server) -> requests.Response:
    return requests.get(f"{server.url}{CONTACTS}", params={"limit": 5}, headers=HS_HEADERS)


def test_no_faults_by_default(sandbox_server):
    assert all(_contacts(sandbox_server).status_code == 200 for _ in range(10))


def test_hubspot_rate_limit_every_nth_request(sandbox_dataset, start_sandbox_server):
    server = start_sandbox_server(sandbox_dataset, faults=[
        {"kind": "rate_limit", "api": "hubspot", "every": 2, "retry_after": 3}])
    statuses = []
    for _ in range(4):
        response = _contacts(server)
        statuses.append(response.status_code)
        if response.status_code == 429:
            body = assert_hs_error(response, 429)
            assert body["errorType"] == "RATE_LIMIT"
            assert response.headers["Retry-After"] == "3"
            assert response.headers["X-HubSpot-RateLimit-Secondly-Remaining"] == "0"
            assert "X-HubSpot-RateLimit-Daily" in response.headers
    assert statuses == [200, 429, 200, 429]


def test_salesforce_limit_is_request_limit_exceeded(sandbox_dataset, start_sandbox_server):
    server = start_sandbox_server(sandbox_dataset, faults=[
        {"kind": "rate_limit", "api": "salesforce", "path": "/services/data/*", "count": 1}])
    headers = sf_headers(server.url)  # the token endpoint is outside the fault's path
    url = f"{server.url}{SF}/query"
    assert_sf_error(requests.get(url, params={"q": "SELECT Id FROM User"}, headers=headers), 403,
                    "REQUEST_LIMIT_EXCEEDED")
    assert requests.get(url, params={"q": "SELECT Id FROM User"}, headers=headers).status_code == 200


def test_server_error_burst_after_skip(sandbox_dataset, start_sandbox_server):
    server = start_sandbox_server(sandbox_dataset, faults=[
        {"kind": "server_error", "api": "hubspot", "status": 502, "count": 2, "skip": 1}])
    responses = [_contacts(server) for _ in range(4)]
    assert [r.status_code for r in responses] == [200, 502, 502, 200]
    assert_hs_error(responses[1], 502)
    sf = start_sandbox_server(sandbox_dataset, faults=[{"kind": "server_error", "api": "salesforce", "count": 1,
                                                        "path": "/services/data/*"}])
    headers = sf_headers(sf.url)
    assert_sf_error(requests.get(f"{sf.url}{SF}/query", params={"q": "SELECT Id FROM User"}, headers=headers),
                    503, "SERVER_UNAVAILABLE")


def test_slow_responses(sandbox_dataset, start_sandbox_server):
    server = start_sandbox_server(sandbox_dataset, faults=[{"kind": "slow", "seconds": 0.6, "count": 1}])
    started = time.perf_counter()
    assert _contacts(server).status_code == 200
    assert time.perf_counter() - started >= 0.6
    started = time.perf_counter()
    assert _contacts(server).status_code == 200
    assert time.perf_counter() - started < 0.5


def test_dropped_connection_mid_body(sandbox_dataset, start_sandbox_server):
    server = start_sandbox_server(sandbox_dataset, faults=[{"kind": "drop_connection", "count": 1}])
    with pytest.raises(requests.exceptions.ChunkedEncodingError, match="IncompleteRead"):
        _contacts(server)
    assert _contacts(server).status_code == 200


def test_malformed_page(sandbox_dataset, start_sandbox_server):
    server = start_sandbox_server(sandbox_dataset, faults=[{"kind": "malformed", "count": 1}])
    response = _contacts(server)
    assert response.status_code == 200
    with pytest.raises(requests.exceptions.JSONDecodeError):
        response.json()
    assert _contacts(server).json()["results"]


def test_permanent_failure_of_one_object_until_cleared(sandbox_server):
    sandbox_server.set_faults([{"kind": "server_error", "object": "lead", "status": 500}])
    headers = sf_headers(sandbox_server.url)
    url = f"{sandbox_server.url}{SF}/query"
    for _ in range(3):
        assert_sf_error(requests.get(url, params={"q": "SELECT Id FROM Lead"}, headers=headers), 500,
                        "UNKNOWN_EXCEPTION")
    assert requests.get(url, params={"q": "SELECT Id FROM Contact"}, headers=headers).status_code == 200
    cleared = requests.delete(f"{sandbox_server.url}/__sandbox/faults")
    assert cleared.status_code == 200 and cleared.json() == {"faults": []}
    assert requests.get(url, params={"q": "SELECT Id FROM Lead"}, headers=headers).status_code == 200


def test_faults_set_at_runtime_through_the_admin_endpoint(sandbox_server):
    admin = f"{sandbox_server.url}/__sandbox/faults"
    bad = requests.post(admin, json=[{"kind": "earthquake"}])
    assert bad.status_code == 400 and "kind" in bad.json()["message"]
    plan = [{"kind": "rate_limit", "path": "/crm/v3/objects/contacts*", "count": 1, "name": "one-429"}]
    assert requests.post(admin, json={"faults": plan}).status_code == 200
    assert _contacts(sandbox_server).status_code == 429
    assert _contacts(sandbox_server).status_code == 200
    shown = requests.get(admin).json()["faults"]
    assert shown[0]["seen"] == 2 and shown[0]["triggered"] == 1
    assert sandbox_server.stats()["faults"] == {"one-429": 1}


def test_paging_with_retries_gets_every_record_once(tmp_path, start_sandbox_server):
    """A client that retries the same nextRecordsUrl after a failure loses and repeats nothing."""
    records = [sf_record(i) for i in range(7_000)]
    write_records(tmp_path / "salesforce" / "Widget__c.jsonl", records)
    server = start_sandbox_server(tmp_path, faults=[
        {"kind": "drop_connection", "path": f"{SF}/query/*", "every": 2},
        {"kind": "server_error", "path": f"{SF}/query/*", "every": 3},
    ])
    headers = sf_headers(server.url)
    url = f"{server.url}{SF}/query?q=SELECT+Id+FROM+Widget__c"
    ids, failures = [], 0
    while url:
        try:
            response = requests.get(url, headers=headers)
            page = response.json() if response.status_code == 200 else None
        except (requests.exceptions.ChunkedEncodingError, requests.exceptions.ConnectionError):
            page = None
        if page is None:
            failures += 1
            continue
        ids += [r["Id"] for r in page["records"]]
        url = None if page["done"] else server.url + page["nextRecordsUrl"]
    assert failures >= 2
    assert ids == [r["Id"] for r in records]


def test_stats_count_requests_and_records_per_endpoint_and_object(sandbox_server, sandbox_dataset):
    sandbox_server.reset_stats()
    client = SandboxClient(sandbox_server.url)
    leads = list(client.soql("SELECT Id FROM Lead", include_deleted=True))
    contacts = list(client.crm_objects("contacts", limit=100))
    stats = requests.get(f"{sandbox_server.url}/__sandbox/stats").json()
    assert stats["objects"]["salesforce/Lead"] == {"requests": 1, "records": len(leads)}
    assert stats["objects"]["hubspot/contacts"]["records"] == len(contacts)
    assert stats["endpoints"]["salesforce.token"]["requests"] == 1
    assert stats["endpoints"]["hubspot.list"]["statuses"] == {"200": stats["endpoints"]["hubspot.list"]["requests"]}
    assert requests.post(f"{sandbox_server.url}/__sandbox/stats/reset").status_code == 200
    assert sandbox_server.stats()["requests"] == 0
