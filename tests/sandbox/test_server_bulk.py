"""The sandbox's Salesforce Bulk API 2.0 query jobs, driven with plain requests: create, poll,
CSV result pages by locator, abort and delete, and the errors of each step."""

from __future__ import annotations

import csv
import io

import requests

from tests.sandbox.server_helpers import SF, assert_sf_error, sf_headers, sf_record, write_records

JOBS = f"{SF}/jobs/query"


def _server(tmp_path, start_sandbox_server, records):
    write_records(tmp_path / "salesforce" / "Widget__c.jsonl", records)
    server = start_sandbox_server(tmp_path)
    return server, sf_headers(server.url)


def _complete(server, headers, job_id) -> list[str]:
    states = []
    for _ in range(10):
        state = requests.get(f"{server.url}{JOBS}/{job_id}", headers=headers).json()["state"]
        states.append(state)
        if state == "JobComplete":
            return states
    raise AssertionError(states)


def test_a_query_job_is_polled_then_paged_by_locator(tmp_path, start_sandbox_server):
    records = [sf_record(i, Note__c=f'say "hi", {i}\nbye' if i % 2 else None, Score__c=i * 1.5,
                         Active__c=i % 3 == 0) for i in range(25)]
    records[3]["IsDeleted"] = True
    server, headers = _server(tmp_path, start_sandbox_server, records)
    created = requests.post(f"{server.url}{JOBS}", headers=headers, json={
        "operation": "queryAll", "query": "SELECT Id, Name, Note__c, Score__c, Active__c, SystemModstamp, IsDeleted "
                                          "FROM Widget__c"})
    assert created.status_code == 200, created.text
    job = created.json()
    assert job["state"] == "UploadComplete" and job["id"].startswith("750") and job["object"] == "Widget__c"
    assert job["operation"] == "queryAll" and job["contentType"] == "CSV" and job["lineEnding"] == "LF"
    # no results before the job is complete
    assert_sf_error(requests.get(f"{server.url}{JOBS}/{job['id']}/results", headers=headers), 400, "INVALIDJOB")
    assert _complete(server, headers, job["id"]) == ["InProgress", "JobComplete"]

    rows, locator, pages = [], None, 0
    while True:
        params = {"maxRecords": 10, **({"locator": locator} if locator else {})}
        page = requests.get(f"{server.url}{JOBS}/{job['id']}/results", headers=headers, params=params)
        assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/csv")
        parsed = list(csv.reader(io.StringIO(page.text)))
        assert parsed[0] == ["Id", "Name", "Note__c", "Score__c", "Active__c", "SystemModstamp", "IsDeleted"]
        assert int(page.headers["Sforce-NumberOfRecords"]) == len(parsed) - 1
        rows += parsed[1:]
        pages += 1
        locator = page.headers["Sforce-Locator"]
        if locator == "null":
            break
    assert pages == 3 and len(rows) == 25
    assert rows[1][2] == 'say "hi", 1\nbye' and rows[0][2] == ""  # quoting kept; null is empty
    assert rows[2][3] == "3.0" and rows[0][4] == "true" and rows[1][4] == "false"
    assert rows[0][5] == "2024-01-01T00:00:00.000Z"  # Bulk's datetime format, not REST's +0000
    assert rows[3][6] == "true"  # queryAll keeps deleted rows
    raw = requests.get(f"{server.url}{JOBS}/{job['id']}/results", headers=headers, params={"maxRecords": 1}).text
    assert raw.splitlines()[1].startswith('"a0X000000000000000","widget 0",""')  # every value quoted

    # a locator can be read again; query (not queryAll) leaves deleted rows out
    again = requests.get(f"{server.url}{JOBS}/{job['id']}/results", headers=headers,
                         params={"maxRecords": 10, "locator": "MTA"})
    assert list(csv.reader(io.StringIO(again.text)))[1][0] == rows[10][0]
    live = requests.post(f"{server.url}{JOBS}", headers=headers,
                         json={"operation": "query", "query": "SELECT Id FROM Widget__c"}).json()
    _complete(server, headers, live["id"])
    ids = requests.get(f"{server.url}{JOBS}/{live['id']}/results", headers=headers).text.split()
    assert len(ids) == 1 + 24 and f'"{records[3]["Id"]}"' not in ids

    # delete: gone afterwards; the results of another API version: 409
    assert requests.get(f"{server.url}/services/data/v60.0/jobs/query/{job['id']}/results",
                        headers=headers).status_code == 409
    assert requests.delete(f"{server.url}{JOBS}/{job['id']}", headers=headers).status_code == 204
    assert_sf_error(requests.get(f"{server.url}{JOBS}/{job['id']}", headers=headers), 404, "NOT_FOUND")


def test_abort_and_what_bulk_refuses(tmp_path, start_sandbox_server):
    server, headers = _server(tmp_path, start_sandbox_server, [sf_record(i) for i in range(3)])
    job = requests.post(f"{server.url}{JOBS}", headers=headers,
                        json={"operation": "query", "query": "SELECT Id FROM Widget__c"}).json()
    aborted = requests.patch(f"{server.url}{JOBS}/{job['id']}", headers=headers, json={"state": "Aborted"})
    assert aborted.json()["state"] == "Aborted"
    assert requests.get(f"{server.url}{JOBS}/{job['id']}", headers=headers).json()["state"] == "Aborted"
    assert_sf_error(requests.get(f"{server.url}{JOBS}/{job['id']}/results", headers=headers), 400, "INVALIDJOB")
    for soql, code in [
        ("SELECT COUNT() FROM Widget__c", "INVALIDJOB"),
        ("SELECT Id FROM Widget__c LIMIT 1 OFFSET 1", "INVALIDJOB"),
        ("SELECT FIELDS(ALL) FROM Widget__c LIMIT 10", "INVALIDJOB"),
        ("SELECT Id FROM Widget__c GROUP BY Id", "MALFORMED_QUERY"),
        ("SELECT Nope__c FROM Widget__c", "INVALID_FIELD"),
        ("SELECT Id FROM Nope__c", "INVALID_TYPE"),
    ]:
        response = requests.post(f"{server.url}{JOBS}", headers=headers, json={"operation": "query", "query": soql})
        assert_sf_error(response, 400, code)
    assert_sf_error(requests.post(f"{server.url}{JOBS}", headers=headers,
                                  json={"operation": "delete", "query": "SELECT Id FROM Widget__c"}), 400, "INVALIDJOB")
    assert_sf_error(requests.post(f"{server.url}{JOBS}", headers=headers, data="not json"), 400, "JSON_PARSER_ERROR")
    assert_sf_error(requests.post(f"{server.url}{JOBS}", json={"operation": "query", "query": "SELECT Id FROM User"}),
                    401, "INVALID_SESSION_ID")


def test_bulk_requests_count_against_the_daily_budget(tmp_path, start_sandbox_server):
    server, headers = _server(tmp_path, start_sandbox_server, [sf_record(i) for i in range(3)])
    requests.post(f"{server.url}/__sandbox/salesforce/limits", json={"DailyApiRequests": {"Remaining": 1}})
    job = requests.post(f"{server.url}{JOBS}", headers=headers,
                        json={"operation": "query", "query": "SELECT Id FROM Widget__c"})
    assert job.status_code == 200
    assert_sf_error(requests.get(f"{server.url}{JOBS}/{job.json()['id']}", headers=headers), 403,
                    "REQUEST_LIMIT_EXCEEDED")
