"""The sandbox's Salesforce REST API, exercised with plain requests against a started server."""

from __future__ import annotations

import re
from pathlib import Path

import orjson
import pytest
import requests

from ingestion.sandbox.client import SandboxClient
from tests.sandbox.server_helpers import (
    SF,
    assert_sf_error,
    read_records,
    sf_headers,
    sf_record,
    write_records,
)


def _sobjects(data_dir: Path) -> list[str]:
    return sorted(p.stem for p in (data_dir / "salesforce").glob("*.jsonl"))


def test_every_sobject_is_served_whole_through_query_all(sandbox_server, sandbox_dataset):
    client = SandboxClient(sandbox_server.url)
    assert set(_sobjects(sandbox_dataset)) <= set(client.sf_objects())
    for sobject in _sobjects(sandbox_dataset):
        in_file = read_records(sandbox_dataset / "salesforce" / f"{sobject}.jsonl")
        fields = client.sf_fields(sobject)
        served = list(client.soql(f"SELECT {', '.join(fields)} FROM {sobject}", include_deleted=True))
        # Every declared field requested: each served record is the file's record on the declared
        # fields (null where the record lacks one), attributes included.
        expected = [{"attributes": r["attributes"], **{f: r.get(f) for f in fields}} for r in in_file]
        assert served == expected, sobject


def test_query_hides_deleted_rows_and_query_all_shows_them(sandbox_server, sandbox_dataset):
    client = SandboxClient(sandbox_server.url)
    checked_deleted = 0
    for sobject in _sobjects(sandbox_dataset):
        in_file = read_records(sandbox_dataset / "salesforce" / f"{sobject}.jsonl")
        live = {r["Id"] for r in in_file if not r["IsDeleted"]}
        deleted = {r["Id"] for r in in_file if r["IsDeleted"]}
        checked_deleted += len(deleted)
        assert {r["Id"] for r in client.soql(f"SELECT Id FROM {sobject}")} == live
        assert {r["Id"] for r in client.soql(f"SELECT Id FROM {sobject}", include_deleted=True)} == live | deleted
    assert checked_deleted > 0, "the generated dataset is expected to hold deleted rows"


def test_paging_returns_every_record_once_at_2000_a_page(tmp_path, start_sandbox_server):
    records = [sf_record(i) for i in range(4_500)]
    write_records(tmp_path / "salesforce" / "Widget__c.jsonl", records)
    server = start_sandbox_server(tmp_path)
    headers = sf_headers(server.url)
    page = requests.get(f"{server.url}{SF}/query", params={"q": "SELECT Id FROM Widget__c"}, headers=headers).json()
    sizes, ids = [], []
    while True:
        assert page["totalSize"] == 4_500
        sizes.append(len(page["records"]))
        ids += [r["Id"] for r in page["records"]]
        if page["done"]:
            assert "nextRecordsUrl" not in page
            break
        assert re.fullmatch(r"/services/data/v61\.0/query/01g\w+-\d+", page["nextRecordsUrl"])
        page = requests.get(server.url + page["nextRecordsUrl"], headers=headers).json()
    assert sizes == [2000, 2000, 500]
    assert ids == [r["Id"] for r in records]


def test_a_cursor_keeps_paging_its_snapshot_when_the_file_is_rewritten(tmp_path, start_sandbox_server):
    path = tmp_path / "salesforce" / "Widget__c.jsonl"
    original = [sf_record(i) for i in range(5_000)]
    write_records(path, original)
    server = start_sandbox_server(tmp_path)
    headers = sf_headers(server.url)
    first = requests.get(f"{server.url}{SF}/query", params={"q": "SELECT Id FROM Widget__c"}, headers=headers).json()
    # Rewrite mid-paging: drop half the records and add new ones.
    write_records(path, original[::2] + [sf_record(i) for i in range(10_000, 11_000)])
    ids = [r["Id"] for r in first["records"]]
    page = first
    while not page["done"]:
        page = requests.get(server.url + page["nextRecordsUrl"], headers=headers).json()
        ids += [r["Id"] for r in page["records"]]
    assert ids == [r["Id"] for r in original]
    # A new query sees the new file.
    fresh = requests.get(f"{server.url}{SF}/query", params={"q": "SELECT Id FROM Widget__c"}, headers=headers).json()
    assert fresh["totalSize"] == 3_500


def test_where_order_by_and_limit(sandbox_server, sandbox_dataset):
    client = SandboxClient(sandbox_server.url)
    leads = [r for r in read_records(sandbox_dataset / "salesforce" / "Lead.jsonl") if not r["IsDeleted"]]
    stamps = sorted(r["SystemModstamp"] for r in leads)
    cut = stamps[len(stamps) // 2]  # same format and offset everywhere, so text order is time order
    cut_soql = cut.replace(".000+0000", "Z") if cut.endswith(".000+0000") else cut
    served = list(client.soql(
        f"SELECT Id, SystemModstamp FROM Lead WHERE SystemModstamp > {cut_soql} ORDER BY SystemModstamp DESC LIMIT 7"
    ))
    expected = sorted((r for r in leads if r["SystemModstamp"] > cut), key=lambda r: r["SystemModstamp"], reverse=True)
    assert [r["Id"] for r in served] == [r["Id"] for r in expected[:7]]
    assert all(set(r) == {"attributes", "Id", "SystemModstamp"} for r in served)

    converted = list(client.soql("SELECT Id FROM Lead WHERE IsConverted = true AND ConvertedDate != null"))
    assert {r["Id"] for r in converted} == {r["Id"] for r in leads if r["IsConverted"] and r["ConvertedDate"]}

    statuses = ("Qualified", "Nurturing")
    either = list(client.soql(
        "SELECT Id FROM Lead WHERE (Status = 'qualified' OR Status IN ('Nurturing')) AND Email != null"
    ))
    assert {r["Id"] for r in either} == {r["Id"] for r in leads if r["Status"] in statuses and r["Email"]}


def test_fields_a_record_lacks_come_back_null(tmp_path, start_sandbox_server):
    write_records(tmp_path / "salesforce" / "Widget__c.jsonl",
                  [sf_record(1, Color__c="red"), sf_record(2)])
    server = start_sandbox_server(tmp_path)
    client = SandboxClient(server.url)
    served = list(client.soql("SELECT Id, color__c FROM Widget__c ORDER BY Id"))
    assert [r["Color__c"] for r in served] == ["red", None]


def test_describe_serves_the_declared_schema(sandbox_server):
    headers = sf_headers(sandbox_server.url)
    body = requests.get(f"{sandbox_server.url}{SF}/sobjects/Opportunity/describe", headers=headers).json()
    types = {f["name"]: f["type"] for f in body["fields"]}
    assert body["name"] == "Opportunity" and body["keyPrefix"] == "006"
    assert types["Id"] == "id" and types["AccountId"] == "reference"
    assert types["SystemModstamp"] == "datetime" and types["CloseDate"] == "date"
    assert types["IsWon"] == "boolean" and types["Amount"] == "currency" and types["StageName"] == "picklist"
    assert "attributes" not in types


@pytest.mark.parametrize(
    ("soql", "status", "code"),
    [
        ("SELEC Id FROM Lead", 400, "MALFORMED_QUERY"),
        ("SELECT Id FROM Lead WHERE", 400, "MALFORMED_QUERY"),
        ("SELECT Id FROM Lead WHERE SystemModstamp > 'yesterday'", 400, "INVALID_FIELD"),
        ("SELECT Id, NoSuchField FROM Lead", 400, "INVALID_FIELD"),
        ("SELECT Id FROM Lead ORDER BY NoSuchField", 400, "INVALID_FIELD"),
        ("SELECT Id FROM NoSuchObject", 400, "INVALID_TYPE"),
        ("SELECT FIELDS(ALL) FROM Lead", 400, "MALFORMED_QUERY"),
    ],
)
def test_bad_queries_get_salesforce_errors(sandbox_server, soql, status, code):
    response = requests.get(f"{sandbox_server.url}{SF}/query", params={"q": soql},
                            headers=sf_headers(sandbox_server.url))
    assert_sf_error(response, status, code)


def test_auth_errors(sandbox_server):
    url = f"{sandbox_server.url}{SF}/query"
    assert_sf_error(requests.get(url, params={"q": "SELECT Id FROM Lead"}), 401, "INVALID_SESSION_ID")
    assert_sf_error(requests.get(url, params={"q": "SELECT Id FROM Lead"}, headers={"Authorization": "Bearer nope"}),
                    401, "INVALID_SESSION_ID")
    bad = requests.post(f"{sandbox_server.url}/services/oauth2/token",
                        data={"grant_type": "client_credentials", "client_id": "relay-sandbox", "client_secret": "x"})
    assert bad.status_code == 400 and bad.json()["error"] == "invalid_client"
    headers = sf_headers(sandbox_server.url)
    assert requests.get(url, params={"q": "SELECT Id FROM User"}, headers=headers).status_code == 200
    sandbox_server.expire_sessions()
    assert_sf_error(requests.get(url, params={"q": "SELECT Id FROM User"}, headers=headers), 401, "INVALID_SESSION_ID")


def test_unknown_paths_and_locators(sandbox_server):
    headers = sf_headers(sandbox_server.url)
    assert_sf_error(requests.get(f"{sandbox_server.url}{SF}/nothing-here", headers=headers), 404, "NOT_FOUND")
    assert_sf_error(requests.get(f"{sandbox_server.url}{SF}/query/01gNOPE-2000", headers=headers),
                    400, "INVALID_QUERY_LOCATOR")
    assert_sf_error(requests.get(f"{sandbox_server.url}{SF}/sobjects/Nope/describe", headers=headers),
                    400, "INVALID_TYPE")


def test_password_grant_and_instance_url(sandbox_server):
    response = requests.post(f"{sandbox_server.url}/services/oauth2/token", data={
        "grant_type": "password", "client_id": "relay-sandbox", "client_secret": "relay-sandbox-secret",
        "username": "someone@example.com", "password": "secret",
    })
    assert response.status_code == 200
    assert response.json()["instance_url"] == sandbox_server.url


def test_malformed_http_gets_json_not_a_trace(sandbox_server):
    import socket

    host, port = sandbox_server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port))) as connection:
        connection.sendall(b"GET /services/data/v61.0/query HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n")
        reply = b""
        while chunk := connection.recv(4096):
            reply += chunk
    head, _, body = reply.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400")
    assert body == b'[{"message":"Bad Content-Length header","errorCode":"BAD_REQUEST"}]'


def test_an_empty_file_is_an_object_without_records(tmp_path, start_sandbox_server):
    folder = tmp_path / "salesforce"
    folder.mkdir()
    (folder / "Empty__c.jsonl").write_bytes(b"")
    (folder / "Widget__c.jsonl").write_bytes(orjson.dumps(sf_record(1)) + b"\n\n" + orjson.dumps(sf_record(2)) + b"\r\n")
    server = start_sandbox_server(tmp_path)
    client = SandboxClient(server.url)
    assert list(client.soql("SELECT Id, SystemModstamp FROM Empty__c")) == []
    assert {f["name"]: f["type"] for f in client.sf_get(f"{SF}/sobjects/Empty__c/describe")["fields"]}["Id"] == "id"
    served = list(client.soql("SELECT Id, Name FROM Widget__c", include_deleted=True))
    assert [r["Id"] for r in served] == [sf_record(1)["Id"], sf_record(2)["Id"]]