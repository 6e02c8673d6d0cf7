"""The sandbox driven by hubspot-api-client, the way a user's script drives a real portal.

The SDK parses every answer into its models (``SimplePublicObject``, ``ForwardPaging``, ...), so a
sandbox answer in a shape the real API does not give fails here. Assertions follow HubSpot's
documentation (CRM objects and CRM search guides, "API usage guidelines and limits", "Error
handling"), not the SDK's leniency.

The SDK is pointed at the sandbox the way its own code allows: ``HubSpot(**config)`` hands every
key to each API's ``Configuration`` (``hubspot/discovery/discovery_base.py``, ``setattr``), and
``Configuration.host`` replaces ``https://api.hubapi.com``; ``ssl_ca_cert`` trusts the test authority.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import orjson
import pytest
from hubspot import HubSpot
from urllib3.util.retry import Retry
from hubspot.crm.companies import ApiException as CompaniesApiException
from hubspot.crm.contacts import ApiException, Filter, FilterGroup, PublicObjectSearchRequest
from hubspot.crm.contacts.exceptions import NotFoundException
from hubspot.crm.contacts.models import (
    CollectionResponseSimplePublicObjectWithAssociationsForwardPaging,
    SimplePublicObject,
    SimplePublicObjectWithAssociations,
)

from tests.fixtures.sandbox import SANDBOX_CREDENTIALS
from tests.sandbox.sdk_fixtures import start_tls_sandbox, tls_ca, tls_ca_file, tls_server_context  # noqa: F401
from tests.sandbox.server_helpers import read_records

# Properties a real portal adds to every CRM read whatever `properties` asks for (observed, not
# documented; the sandbox returns only those asked for, which is the stricter of the two).
ALWAYS_RETURNED = {
    "contacts": {"createdate", "lastmodifieddate", "hs_object_id"},
    "companies": {"createdate", "hs_lastmodifieddate", "hs_object_id"},
}


@pytest.fixture
def server(sandbox_dataset, start_tls_sandbox):
    return start_tls_sandbox(sandbox_dataset)


def _client(server, ca_file: Path, token: str = SANDBOX_CREDENTIALS["hubspot_token"]) -> HubSpot:
    return HubSpot(access_token=token, host=server.url, ssl_ca_cert=str(ca_file))


@pytest.fixture
def api(server, tls_ca_file) -> HubSpot:
    return _client(server, tls_ca_file)


def _file(data_dir: Path, name: str) -> dict[str, dict]:
    return {r["id"]: r for r in read_records(data_dir / "hubspot" / f"{name}.jsonl")}


def _live(records: dict[str, dict]) -> dict[str, dict]:
    return {i: r for i, r in records.items() if not r["archived"]}


def _ms(stamp: str) -> int:
    return int(datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp() * 1000)


def _assert_properties(returned: dict, asked: list[str], obj: str, record: dict) -> None:
    assert set(asked) <= set(returned) <= set(asked) | ALWAYS_RETURNED[obj], returned
    for name in asked:
        assert returned[name] == record["properties"].get(name), name


def test_get_page_pages_by_after_in_id_order(api, sandbox_dataset):
    contacts = _live(_file(sandbox_dataset, "contacts"))
    first = api.crm.contacts.basic_api.get_page(limit=10)
    assert isinstance(first, CollectionResponseSimplePublicObjectWithAssociationsForwardPaging)
    assert len(first.results) == 10
    for record in first.results:
        assert isinstance(record, SimplePublicObjectWithAssociations)
        assert record.archived is False and isinstance(record.created_at, datetime)
        # Without `properties`: the default set (firstname, lastname, email plus the system ones).
        assert set(record.properties) == {"firstname", "lastname", "email", "createdate", "lastmodifieddate",
                                          "hs_object_id"}
        assert record.properties["email"] == contacts[record.id]["properties"]["email"]
    assert first.paging.next.after and first.paging.next.link.startswith(api.crm.contacts.basic_api.api_client
                                                                          .configuration.host)

    asked = ["email", "lifecyclestage", "jobtitle"]
    second = api.crm.contacts.basic_api.get_page(limit=10, after=first.paging.next.after, properties=asked)
    for record in second.results:
        _assert_properties(record.properties, asked, "contacts", contacts[record.id])
    ids = [int(r.id) for r in first.results + second.results]
    assert ids == sorted(ids) and len(set(ids)) == 20
    assert ids == sorted(int(i) for i in contacts)[:20]


def test_get_page_with_associations(api, sandbox_dataset):
    contacts = _file(sandbox_dataset, "contacts")
    page = api.crm.contacts.basic_api.get_page(limit=50, associations=["companies"])
    with_company = [r for r in page.results if r.associations]
    assert with_company
    for record in with_company:
        expected = contacts[record.id]["associations"]["companies"]["results"]
        assert [(a.id, a.type) for a in record.associations["companies"].results] == [
            (a["id"], a["type"]) for a in expected]


def test_get_page_archived_returns_only_archived_records(api, sandbox_dataset):
    archived = {i: r for i, r in _file(sandbox_dataset, "contacts").items() if r["archived"]}
    assert archived, "the dataset is expected to hold archived contacts"
    page = api.crm.contacts.basic_api.get_page(limit=100, archived=True, properties=["email"])
    assert {r.id for r in page.results} == set(archived)
    for record in page.results:
        assert record.archived is True and isinstance(record.archived_at, datetime)
        _assert_properties(record.properties, ["email"], "contacts", archived[record.id])


def test_get_all_reads_every_live_record(api, sandbox_dataset):
    contacts = _live(_file(sandbox_dataset, "contacts"))
    everyone = api.crm.contacts.get_all(properties=["email", "lifecyclestage"])
    assert len(everyone) == len(contacts) > 100  # more than one page of 100
    assert {r.id for r in everyone} == set(contacts)
    for record in everyone:
        _assert_properties(record.properties, ["email", "lifecyclestage"], "contacts", contacts[record.id])

    companies = _live(_file(sandbox_dataset, "companies"))
    assert {r.id for r in api.crm.companies.get_all()} == set(companies)


def test_search_with_filter_groups_and_a_sort(api, sandbox_dataset):
    contacts = _live(_file(sandbox_dataset, "contacts"))
    # Filter groups are ORed, filters within a group ANDed (CRM search guide).
    expected = {i for i, r in contacts.items()
                if r["properties"]["lifecyclestage"] == "customer"
                or (r["properties"]["lifecyclestage"] in ("opportunity", "salesqualifiedlead")
                    and r["properties"].get("hs_analytics_source") != "OFFLINE")}
    asked = ["email", "lifecyclestage", "createdate"]
    request = PublicObjectSearchRequest(
        filter_groups=[
            FilterGroup(filters=[Filter(property_name="lifecyclestage", operator="EQ", value="customer")]),
            FilterGroup(filters=[
                Filter(property_name="lifecyclestage", operator="IN", values=["opportunity", "salesqualifiedlead"]),
                Filter(property_name="hs_analytics_source", operator="NEQ", value="OFFLINE"),
            ]),
        ],
        sorts=[{"propertyName": "createdate", "direction": "DESCENDING"}],
        properties=asked,
        limit=10,
    )
    found: list[SimplePublicObject] = []
    while True:
        page = api.crm.contacts.search_api.do_search(public_object_search_request=request)
        assert page.total == len(expected)
        assert all(isinstance(r, SimplePublicObject) for r in page.results)
        found.extend(page.results)
        if page.paging is None or page.paging.next is None:
            break
        request.after = page.paging.next.after
    assert [r.id for r in found] and len(found) == len({r.id for r in found})
    assert {r.id for r in found} == expected
    created = [_ms(r.properties["createdate"]) for r in found]
    assert created == sorted(created, reverse=True)
    for record in found:
        _assert_properties(record.properties, asked, "contacts", contacts[record.id])


def test_search_without_properties_returns_the_documented_default_set(api):
    # CRM search guide: "For contacts, a search will return createdate, email, firstname, hs_object_id,
    # lastmodifieddate, and lastname"; companies: name, domain, createdate, hs_lastmodifieddate, hs_object_id.
    contacts = api.crm.contacts.search_api.do_search(public_object_search_request={"limit": 5})
    assert {frozenset(r.properties) for r in contacts.results} == {frozenset(
        {"createdate", "email", "firstname", "hs_object_id", "lastmodifieddate", "lastname"})}
    companies = api.crm.companies.search_api.do_search(public_object_search_request={"limit": 5})
    assert {frozenset(r.properties) for r in companies.results} == {frozenset(
        {"name", "domain", "createdate", "hs_lastmodifieddate", "hs_object_id"})}


def test_search_companies_by_modification_time(api, sandbox_dataset):
    companies = _live(_file(sandbox_dataset, "companies"))
    stamps = sorted(_ms(r["properties"]["hs_lastmodifieddate"]) for r in companies.values())
    since = stamps[len(stamps) // 2]
    expected = {i for i, r in companies.items() if _ms(r["properties"]["hs_lastmodifieddate"]) >= since}
    request = {  # a plain dict body is what the SDK documents too (PublicObjectSearchRequest's JSON)
        "filterGroups": [{"filters": [{"propertyName": "hs_lastmodifieddate", "operator": "GTE",
                                       "value": str(since)}]}],
        "sorts": [{"propertyName": "hs_lastmodifieddate", "direction": "ASCENDING"}],
        "properties": ["name", "domain", "hs_lastmodifieddate"],
        "limit": 200,
    }
    page = api.crm.companies.search_api.do_search(public_object_search_request=request)
    assert page.total == len(expected) and {r.id for r in page.results} == expected
    modified = [_ms(r.properties["hs_lastmodifieddate"]) for r in page.results]
    assert modified == sorted(modified)
    first = api.crm.companies.basic_api.get_page(limit=5, properties=["name", "domain"])
    for record in first.results:
        _assert_properties(record.properties, ["name", "domain"], "companies", companies[record.id])


def test_reading_a_missing_record_is_404_object_not_found(api):
    with pytest.raises(NotFoundException) as raised:
        api.crm.contacts.basic_api.get_by_id("999999999999", properties=["email"])
    assert raised.value.status == 404
    assert _error_body(raised.value)["category"] == "OBJECT_NOT_FOUND"


def _error_body(error: ApiException) -> dict:
    body = orjson.loads(error.body)
    # HubSpot's error shape ("Error handling" guide).
    assert body["status"] == "error" and body["message"] and body["correlationId"], body
    return body


def test_a_bad_token_is_401_invalid_authentication(server, tls_ca_file):
    api = _client(server, tls_ca_file, token="pat-na1-not-a-real-token")
    with pytest.raises(ApiException) as raised:
        api.crm.contacts.basic_api.get_page(limit=1)
    assert raised.value.status == 401
    assert _error_body(raised.value)["category"] == "INVALID_AUTHENTICATION"


def test_a_rate_limited_request_is_429_with_retry_after(server, tls_ca_file):
    # No client-side retries, so the 429 itself reaches the script (the SDK's `retry=` takes a urllib3 Retry).
    api = HubSpot(access_token=SANDBOX_CREDENTIALS["hubspot_token"], host=server.url, ssl_ca_cert=str(tls_ca_file),
                  retry=Retry(total=0))
    server.set_faults([{"kind": "rate_limit", "api": "hubspot", "count": 1, "retry_after": 2}])
    with pytest.raises(ApiException) as raised:
        api.crm.contacts.basic_api.get_page(limit=1)
    error = raised.value
    # "API usage guidelines and limits": 429 with Retry-After and the X-HubSpot-RateLimit-* headers.
    assert error.status == 429 and error.headers["Retry-After"] == "2"
    assert error.headers["X-HubSpot-RateLimit-Remaining"] == "0"
    body = _error_body(error)
    assert body["errorType"] == "RATE_LIMIT" and body["category"] == "RATE_LIMITS"
    assert len(api.crm.contacts.basic_api.get_page(limit=1).results) == 1


def test_the_default_client_waits_out_a_get_429_but_not_a_post_429(api, server):
    # The SDK's default urllib3 Retry honours Retry-After on idempotent requests only, so the header must
    # be a number of seconds it can read: a GET succeeds after the wait, a search POST raises the 429.
    server.set_faults([{"kind": "rate_limit", "api": "hubspot", "count": 1, "retry_after": 1}])
    assert len(api.crm.contacts.basic_api.get_page(limit=1).results) == 1
    assert server.stats()["endpoints"]["hubspot.list"]["statuses"] == {"429": 1, "200": 1}

    server.set_faults([{"kind": "rate_limit", "api": "hubspot", "count": 1, "retry_after": 1}])
    with pytest.raises(CompaniesApiException) as raised:
        api.crm.companies.search_api.do_search(public_object_search_request={"limit": 1})
    assert raised.value.status == 429 and _error_body(raised.value)["errorType"] == "RATE_LIMIT"
    assert server.stats()["endpoints"]["hubspot.search"]["statuses"] == {"429": 1}


@pytest.mark.parametrize("request_body", [
    # CRM search guide, "Filter search results": "You can include a maximum of five filterGroups with up to
    # 6 filters in each group, with a maximum of 18 filters in total. If you've included too many groups or
    # filters, you'll receive a VALIDATION_ERROR error response."
    {"filterGroups": [{"filters": [{"propertyName": "email", "operator": "HAS_PROPERTY"}]}] * 6},
    {"filterGroups": [{"filters": [{"propertyName": "email", "operator": "HAS_PROPERTY"}] * 7}]},
    {"filterGroups": [{"filters": [{"propertyName": "email", "operator": "HAS_PROPERTY"}] * 4}] * 5},
    # "Limitations": "Attempting to page beyond 10,000 will result in a 400 error."
    {"after": "10000", "limit": 10},
])
def test_a_malformed_search_is_400_validation_error(api, request_body):
    with pytest.raises(ApiException) as raised:
        api.crm.contacts.search_api.do_search(public_object_search_request=request_body)
    assert raised.value.status == 400
    assert _error_body(raised.value)["category"] == "VALIDATION_ERROR"
