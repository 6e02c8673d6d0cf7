"""The sandbox driven by simple-salesforce, the way a user's script drives a real org.

Each test uses the library's public calls and asserts what Salesforce documents (REST API
Developer Guide: "Execute a SOQL Query", "QueryAll", "Describe an Object", "Status Codes and Error
Responses"), so a sandbox answer in a shape the real API does not give fails here.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import requests
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import (
    SalesforceExpiredSession,
    SalesforceMalformedRequest,
    SalesforceRefusedRequest,
)

from tests.fixtures.sandbox import SANDBOX_CREDENTIALS
from tests.sandbox.sdk_fixtures import start_tls_sandbox, tls_ca, tls_ca_file, tls_server_context  # noqa: F401
from tests.sandbox.server_helpers import read_records, sf_record, write_records

WIDGETS = 4_500  # more than two pages of 2,000: query_more is needed twice
# "If the initial query returns only part of the results, the end of the response will contain a field
# called nextRecordsUrl" of the form /services/data/vXX.X/query/<query locator>-<position>.
NEXT_RECORDS_URL = re.compile(r"^/services/data/v\d+\.\d/query/(?P<locator>01g[A-Za-z0-9]{15}-\d+)$")


def _widgets() -> list[dict]:
    # Every tenth widget is soft-deleted: visible through queryAll only.
    return [sf_record(i, IsDeleted=i % 10 == 0) for i in range(WIDGETS)]


@pytest.fixture
def data_dir(make_sandbox_dataset) -> Path:
    """The generated dataset plus a custom object big enough to page (the data dir is a public interface)."""
    directory = make_sandbox_dataset()
    write_records(directory / "salesforce" / "Widget__c.jsonl", _widgets())
    return directory


@pytest.fixture
def server(data_dir, start_tls_sandbox):
    return start_tls_sandbox(data_dir)


@pytest.fixture
def https(tls_ca_file, monkeypatch) -> requests.Session:
    """The session a user hands simple-salesforce (``session=``) to trust a private certificate authority."""
    # requests lets these variables override Session.verify (psf/requests#3829); this machine sets them.
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
    session = requests.Session()
    session.verify = str(tls_ca_file)
    return session


def _login(server, https: requests.Session) -> Salesforce:
    """Client-credentials OAuth against the sandbox's token endpoint, then simple-salesforce's direct session.

    simple-salesforce's own client-credentials login posts to ``https://<domain>.salesforce.com``,
    which cannot name a local server; the documented token response is what it needs anyway.
    """
    response = https.post(f"{server.url}/services/oauth2/token", data={
        "grant_type": "client_credentials",
        "client_id": SANDBOX_CREDENTIALS["sf_client_id"],
        "client_secret": SANDBOX_CREDENTIALS["sf_client_secret"],
    })
    assert response.status_code == 200, response.text
    token = response.json()
    assert token["instance_url"] == server.url and token["instance_url"].startswith("https://")
    return Salesforce(instance_url=token["instance_url"], session_id=token["access_token"], session=https)


@pytest.fixture
def sf(server, https) -> Salesforce:
    return _login(server, https)


def test_the_sandbox_speaks_https_only_when_asked(server, https, sandbox_server):
    assert server.url.startswith("https://") and sandbox_server.url.startswith("http://")
    assert https.get(f"{server.url}/__sandbox/health").json()["status"] == "ok"
    # A client that does not trust the test authority is refused at the handshake, as on a real host.
    with pytest.raises(requests.exceptions.SSLError):
        requests.get(f"{server.url}/__sandbox/health", timeout=10)
    # The plain-HTTP default is unchanged.
    assert requests.get(f"{sandbox_server.url}/__sandbox/health", timeout=10).json()["status"] == "ok"


def test_query_returns_the_live_records_with_attributes(sf, data_dir):
    in_file = read_records(data_dir / "salesforce" / "Lead.jsonl")
    live = {r["Id"]: r for r in in_file if not r["IsDeleted"]}
    assert live and len(live) < len(in_file), "the dataset is expected to hold deleted leads"

    result = sf.query("SELECT Id, Email, Status, SystemModstamp FROM Lead")

    assert result["done"] is True and "nextRecordsUrl" not in result
    assert result["totalSize"] == len(live) == len(result["records"])
    for record in result["records"]:
        assert list(record) == ["attributes", "Id", "Email", "Status", "SystemModstamp"]
        assert record["attributes"]["type"] == "Lead"
        assert record["attributes"]["url"].endswith(f"/sobjects/Lead/{record['Id']}")
        expected = live[record["Id"]]
        assert (record["Email"], record["Status"], record["SystemModstamp"]) == (
            expected["Email"], expected["Status"], expected["SystemModstamp"])


def test_query_more_follows_next_records_url_in_both_identifier_forms(sf):
    first = sf.query("SELECT Id FROM Widget__c ORDER BY Id")
    live = WIDGETS - WIDGETS // 10
    assert (first["totalSize"], first["done"], len(first["records"])) == (live, False, 2000)
    assert NEXT_RECORDS_URL.match(first["nextRecordsUrl"]), first["nextRecordsUrl"]

    # The documented form: the whole nextRecordsUrl.
    second = sf.query_more(first["nextRecordsUrl"], identifier_is_url=True)
    assert (second["totalSize"], second["done"], len(second["records"])) == (live, False, 2000)
    # The identifier form: the locator after /query/, which simple-salesforce appends to /query/ itself.
    locator = NEXT_RECORDS_URL.match(second["nextRecordsUrl"]).group("locator")
    third = sf.query_more(locator)
    assert (third["totalSize"], third["done"], len(third["records"])) == (live, True, live - 4000)
    assert "nextRecordsUrl" not in third

    ids = [r["Id"] for page in (first, second, third) for r in page["records"]]
    assert ids == sorted(r["Id"] for r in _widgets() if not r["IsDeleted"])


def test_query_all_reads_every_page(sf):
    result = sf.query_all("SELECT Id, Name FROM Widget__c")
    expected = {r["Id"]: r["Name"] for r in _widgets() if not r["IsDeleted"]}
    assert result["totalSize"] == len(expected) == len(result["records"])
    assert {r["Id"]: r["Name"] for r in result["records"]} == expected


def test_include_deleted_uses_query_all_and_returns_soft_deleted_rows(sf):
    every = sf.query_all("SELECT Id, IsDeleted FROM Widget__c", include_deleted=True)
    assert len(every["records"]) == WIDGETS
    assert {r["Id"] for r in every["records"] if r["IsDeleted"]} == {
        r["Id"] for r in _widgets() if r["IsDeleted"]}

    # "QueryAll More Results": the nextRecordsUrl of a QueryAll names /query/, and the locator may be
    # followed under /query/ or /queryAll/; "the remaining results include deleted records".
    first = sf.query("SELECT Id FROM Widget__c", include_deleted=True)
    assert (first["totalSize"], len(first["records"])) == (WIDGETS, 2000)
    locator = NEXT_RECORDS_URL.match(first["nextRecordsUrl"]).group("locator")  # /query/, not /queryAll/
    second = sf.query_more(locator, include_deleted=True)  # simple-salesforce: /queryAll/<locator>
    assert (second["totalSize"], len(second["records"]), second["done"]) == (WIDGETS, 2000, False)
    third = sf.query_more(second["nextRecordsUrl"], identifier_is_url=True)  # /query/<locator>
    assert (third["totalSize"], len(third["records"]), third["done"]) == (WIDGETS, 500, True)
    ids = [r["Id"] for page in (first, second, third) for r in page["records"]]
    assert sorted(ids) == sorted(r["Id"] for r in _widgets())


def test_describe_lists_the_sobjects_and_describes_each(sf, data_dir):
    listed = {entry["name"]: entry for entry in sf.describe()["sobjects"]}
    files = {path.stem for path in (data_dir / "salesforce").glob("*.jsonl")}
    assert files <= set(listed)
    assert listed["Widget__c"]["custom"] is True and listed["Lead"]["custom"] is False

    described = sf.Lead.describe()
    assert described["name"] == "Lead" and described["keyPrefix"] == "00Q"
    fields = {field["name"]: field for field in described["fields"]}
    in_file = read_records(data_dir / "salesforce" / "Lead.jsonl")
    assert {name for record in in_file for name in record} - {"attributes"} <= set(fields)
    for field in fields.values():
        assert {"name", "type", "soapType", "nillable", "length", "custom"} <= set(field), field
    assert (fields["Id"]["type"], fields["Id"]["soapType"]) == ("id", "tns:ID")
    assert (fields["SystemModstamp"]["type"], fields["SystemModstamp"]["soapType"]) == ("datetime", "xsd:dateTime")
    assert (fields["IsDeleted"]["type"], fields["IsDeleted"]["nillable"]) == ("boolean", False)

    # The same describe through the SObject type, for a custom object.
    widget = sf.Widget__c.describe()
    assert widget["name"] == "Widget__c" and "Name" in {field["name"] for field in widget["fields"]}


def test_describe_gives_the_documented_field_types(sf):
    # Salesforce Object Reference, Lead: Email is type email, Status and LeadSource are picklists, and
    # MasterRecordId (the survivor of a merge) is on every Lead whatever the data holds.
    fields = {field["name"]: field for field in sf.Lead.describe()["fields"]}
    assert fields["Email"]["type"] == "email"
    assert fields["Status"]["type"] == fields["LeadSource"]["type"] == "picklist"
    assert fields["MasterRecordId"]["type"] == "reference"


@pytest.mark.parametrize("soql, code", [
    ("SELECT Id FRM Lead", "MALFORMED_QUERY"),
    ("SELECT Id, NoSuchField__c FROM Lead", "INVALID_FIELD"),
    ("SELECT Id FROM NoSuchObject__c", "INVALID_TYPE"),
])
def test_a_bad_query_raises_malformed_request(sf, soql, code):
    with pytest.raises(SalesforceMalformedRequest) as raised:
        sf.query(soql)
    assert raised.value.status == 400
    # Salesforce errors are a list of {"message", "errorCode"} (REST API "Status Codes and Error Responses").
    [error] = raised.value.content
    assert error["errorCode"] == code and error["message"]


@pytest.mark.parametrize("expire", ["admin_endpoint", "in_process"])
def test_an_expired_session_raises_expired_session(server, https, expire):
    sf = _login(server, https)
    assert sf.query("SELECT Id FROM User LIMIT 1")["totalSize"] == 1
    if expire == "admin_endpoint":
        assert https.post(f"{server.url}/__sandbox/sessions/expire").json()["expired"] >= 1
    else:
        assert server.expire_sessions() >= 1

    with pytest.raises(SalesforceExpiredSession) as raised:
        sf.query("SELECT Id FROM User LIMIT 1")
    assert raised.value.status == 401
    [error] = raised.value.content
    assert error["errorCode"] == "INVALID_SESSION_ID" and error["message"]
    # A new token works again: what a client's re-authentication does.
    assert _login(server, https).query("SELECT Id FROM User LIMIT 1")["totalSize"] == 1


def test_an_exhausted_request_limit_is_refused_with_request_limit_exceeded(server, https):
    sf = _login(server, https)
    server.set_faults([{"kind": "rate_limit", "api": "salesforce", "count": 1}])
    # Salesforce has no 429: an exceeded API limit is 403 REQUEST_LIMIT_EXCEEDED
    # (REST API "Status Codes and Error Responses"), which simple-salesforce raises as a refused request.
    with pytest.raises(SalesforceRefusedRequest) as raised:
        sf.query("SELECT Id FROM Lead")
    assert raised.value.status == 403
    [error] = raised.value.content
    assert error["errorCode"] == "REQUEST_LIMIT_EXCEEDED" and "Limit" in error["message"]
    # The fault was one request: the next is served.
    assert sf.query("SELECT Id FROM User LIMIT 1")["totalSize"] == 1


def test_every_rest_response_reports_the_daily_api_usage(sf):
    # "Limit Info Header: This response header is returned in each request to REST API" (REST API Developer
    # Guide, headers_api_usage.htm); simple-salesforce parses it into sf.api_usage.
    sf.query("SELECT Id FROM User LIMIT 1")
    usage = sf.api_usage["api-usage"]
    assert 0 < usage.used <= usage.total
