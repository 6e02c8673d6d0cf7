"""The sandbox's Salesforce API is as strict as a real org: the URI-plus-headers limit, describe
from the declared schema (not the data), declared objects without records, and a daily API budget
distinct from the transient concurrency limit."""

from __future__ import annotations

import json

import requests

from tests.sandbox.server_helpers import SF, assert_sf_error, sf_headers, write_records
from tests.sandbox.wide_org import WIDE_FIELDS, custom_field, wide_dir

def test_custom_field_names_are_salesforce_length():
    assert all(len(custom_field(i)) == 43 for i in range(WIDE_FIELDS))


def test_a_query_url_over_16384_bytes_gets_414_from_the_web_tier(tmp_path, start_sandbox_server):
    server = start_sandbox_server(wide_dir(tmp_path))
    headers = sf_headers(server.url)
    fields = [f["name"] for f in requests.get(f"{server.url}{SF}/sobjects/Lead/describe", headers=headers).json()["fields"]]
    # today's request pattern: every describe field in the queryAll URL
    response = requests.get(f"{server.url}{SF}/queryAll", params={"q": f"SELECT {', '.join(fields)} FROM Lead"},
                            headers=headers)
    assert len(response.request.url) > 16_384
    assert response.status_code == 414
    assert response.text == "<h1>Bad Message 414</h1><pre>reason: URI Too Long</pre>"
    # the same query with fewer fields is fine
    small = requests.get(f"{server.url}{SF}/queryAll", params={"q": "SELECT Id FROM Lead"}, headers=headers)
    assert small.status_code == 200 and small.json()["totalSize"] == 3


def test_uri_plus_headers_over_the_limit_get_431(tmp_path, start_sandbox_server):
    server = start_sandbox_server(wide_dir(tmp_path, fields=1))
    headers = {**sf_headers(server.url), "X-Padding": "x" * 16_300}
    response = requests.get(f"{server.url}{SF}/query", params={"q": "SELECT Id FROM Lead"}, headers=headers)
    assert response.status_code == 431
    assert "Request Header Fields Too Large" in response.text


def test_describe_lists_declared_fields_no_record_fills(tmp_path, start_sandbox_server):
    data = wide_dir(tmp_path, fields=2)
    schema = json.loads((data / "schema.json").read_text())
    schema["salesforce"]["Lead"]["fields"].insert(3, {"name": "Score__c", "type": "double", "custom": True})
    schema["salesforce"]["Lead"]["fields"].insert(3, {"name": "Owner__c", "type": "reference",
                                                      "referenceTo": ["User"], "custom": True})
    (data / "schema.json").write_text(json.dumps(schema))
    server = start_sandbox_server(data)
    headers = sf_headers(server.url)
    body = requests.get(f"{server.url}{SF}/sobjects/Lead/describe", headers=headers).json()
    fields = {f["name"]: f for f in body["fields"]}
    assert body["keyPrefix"] == "00Q"
    score = fields["Score__c"]
    assert score["type"] == "double" and score["soapType"] == "xsd:double" and score["custom"] is True
    assert score["nillable"] is True and score["picklistValues"] == [] and score["referenceTo"] == []
    owner = fields["Owner__c"]
    assert owner["referenceTo"] == ["User"] and owner["relationshipName"] == "Owner__r" and owner["length"] == 18
    assert fields["Id"]["nillable"] is False and fields["Id"]["soapType"] == "tns:ID"
    for field in body["fields"]:
        assert {"label", "soapType", "nillable", "length", "custom", "referenceTo", "picklistValues",
                "filterable", "updateable", "createable"} <= set(field)
    # a declared field no record has: null; a field the org does not declare: INVALID_FIELD
    page = requests.get(f"{server.url}{SF}/query", params={"q": "SELECT Id, Score__c FROM Lead"},
                        headers=headers).json()
    assert [r["Score__c"] for r in page["records"]] == [None, None, None]
    filtered = requests.get(f"{server.url}{SF}/query", params={"q": "SELECT Id FROM Lead WHERE Score__c > 1"},
                            headers=headers)
    assert filtered.status_code == 200 and filtered.json()["totalSize"] == 0
    assert_sf_error(requests.get(f"{server.url}{SF}/query", params={"q": "SELECT Id, Nope__c FROM Lead"},
                                 headers=headers), 400, "INVALID_FIELD")


def test_a_declared_object_without_a_file_is_empty_not_an_error(tmp_path, start_sandbox_server):
    write_records(tmp_path / "salesforce" / "Lead.jsonl", [])
    server = start_sandbox_server(tmp_path)
    headers = sf_headers(server.url)
    listed = [o["name"] for o in requests.get(f"{server.url}{SF}/sobjects", headers=headers).json()["sobjects"]]
    assert {"Event", "Task", "Lead", "Opportunity"} <= set(listed)
    for sobject in ("Event", "Lead"):  # no file; an empty file
        response = requests.get(f"{server.url}{SF}/queryAll",
                                params={"q": f"SELECT Id, SystemModstamp FROM {sobject} WHERE SystemModstamp >= "
                                             "2024-01-01T00:00:00Z"}, headers=headers)
        assert response.status_code == 200, response.text
        assert response.json() == {"totalSize": 0, "done": True, "records": []}
        describe = requests.get(f"{server.url}{SF}/sobjects/{sobject}/describe", headers=headers).json()
        assert "ActivityDateTime" in {f["name"] for f in describe["fields"]} or sobject == "Lead"
    assert_sf_error(requests.get(f"{server.url}{SF}/query", params={"q": "SELECT Id FROM Nope__c"},
                                 headers=headers), 400, "INVALID_TYPE")


def test_count_query(tmp_path, start_sandbox_server):
    server = start_sandbox_server(wide_dir(tmp_path, records=5, fields=1))
    headers = sf_headers(server.url)
    body = requests.get(f"{server.url}{SF}/queryAll", params={"q": "SELECT COUNT() FROM Lead"}, headers=headers).json()
    assert body == {"totalSize": 5, "done": True, "records": []}
    body = requests.get(f"{server.url}{SF}/query",
                        params={"q": "SELECT COUNT() FROM Lead WHERE LastName = 'person 2'"}, headers=headers).json()
    assert body["totalSize"] == 1 and body["records"] == []


def test_the_daily_budget_runs_out_and_limits_shows_it(tmp_path, start_sandbox_server):
    server = start_sandbox_server(wide_dir(tmp_path, fields=1))
    headers = sf_headers(server.url)
    set_limits = requests.post(f"{server.url}/__sandbox/salesforce/limits",
                               json={"DailyApiRequests": {"Max": 50, "Remaining": 3}})
    assert set_limits.json()["DailyApiRequests"] == {"Max": 50, "Remaining": 3}
    limits = requests.get(f"{server.url}{SF}/limits", headers=headers)
    assert limits.json()["DailyApiRequests"] == {"Max": 50, "Remaining": 2}  # the call itself counts
    assert {"DailyBulkV2QueryJobs", "DailyBulkV2QueryFileStorageMB"} <= set(limits.json())
    ok = requests.get(f"{server.url}{SF}/query", params={"q": "SELECT Id FROM Lead"}, headers=headers)
    assert ok.status_code == 200 and ok.headers["Sforce-Limit-Info"] == "api-usage=49/50"
    requests.get(f"{server.url}{SF}/query", params={"q": "SELECT Id FROM Lead"}, headers=headers)
    refused = requests.get(f"{server.url}{SF}/query", params={"q": "SELECT Id FROM Lead"}, headers=headers)
    assert_sf_error(refused, 403, "REQUEST_LIMIT_EXCEEDED")
    assert refused.json()[0]["message"] == "TotalRequests Limit exceeded."
    # it does not clear by waiting a few seconds, nor for /limits, nor with a new session
    assert_sf_error(requests.get(f"{server.url}{SF}/limits", headers=headers), 403, "REQUEST_LIMIT_EXCEEDED")
    assert_sf_error(requests.get(f"{server.url}{SF}/limits", headers=sf_headers(server.url)), 403,
                    "REQUEST_LIMIT_EXCEEDED")


def test_the_transient_limit_has_its_own_message(tmp_path, start_sandbox_server):
    server = start_sandbox_server(wide_dir(tmp_path, fields=1),
                                  faults=[{"kind": "rate_limit", "api": "salesforce", "path": "/services/data/*",
                                           "count": 1}])
    headers = sf_headers(server.url)
    first = requests.get(f"{server.url}{SF}/query", params={"q": "SELECT Id FROM Lead"}, headers=headers)
    assert_sf_error(first, 403, "REQUEST_LIMIT_EXCEEDED")
    assert first.json()[0]["message"] == "ConcurrentRequests (Concurrent API Requests) Limit exceeded."
    assert requests.get(f"{server.url}{SF}/query", params={"q": "SELECT Id FROM Lead"},
                        headers=headers).status_code == 200
