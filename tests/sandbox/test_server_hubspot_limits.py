"""The sandbox's HubSpot API is as strict as the real one: URI and search-body limits, batch read,
declared properties, the campaigns and forms APIs' own parameters, a lagging search index, the
daily budget, and empty objects. Data directories are made by hand (the data directory is a public
interface); see ingestion/sandbox/README.md, "HubSpot limits", for where each rule comes from."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
import requests

from ingestion.sandbox.catalog import HUBSPOT
from tests.sandbox.server_helpers import HS_HEADERS, assert_hs_error, hs_contact, write_records

CUSTOM = 500


def custom_names(count: int = CUSTOM) -> list[str]:
    return [f"relay_custom_field_{i:03d}" for i in range(count)]


def write_portal(root: Path, contacts: int = 30, custom: int = CUSTOM) -> Path:
    """A portal whose contacts declare ``custom`` custom properties, every one with a value."""
    names = custom_names(custom)
    declared = HUBSPOT["contacts"]["properties"] + [
        {"name": name, "type": "string", "fieldType": "text", "groupName": "relay_custom"} for name in names
    ]
    (root / "hubspot").mkdir(parents=True, exist_ok=True)
    (root / "schema.json").write_text(json.dumps({"hubspot": {"contacts": {"properties": declared}}}))
    records = [hs_contact(i, **{name: f"v{i}-{n}" for n, name in enumerate(names)}) for i in range(contacts)]
    for record in records[-3:]:
        record["archived"], record["archivedAt"] = True, record["updatedAt"]
    write_records(root / "hubspot" / "contacts.jsonl", records)
    return root


@pytest.fixture
def portal(tmp_path: Path, start_sandbox_server):
    return start_sandbox_server(write_portal(tmp_path / "portal"))


def _get(server, path: str, **params) -> requests.Response:
    return requests.get(f"{server.url}{path}", params=params, headers=HS_HEADERS)


def _post(server, path: str, body: object, **params) -> requests.Response:
    return requests.post(f"{server.url}{path}", params=params, json=body, headers=HS_HEADERS)


# --- URI and search body ---------------------------------------------------------------------

def test_a_list_naming_every_property_in_the_url_gets_414(portal):
    """Today's list request pattern on a portal with 500 custom contact properties."""
    names = [p["name"] for p in _get(portal, "/crm/v3/properties/contacts").json()["results"]]
    response = _get(portal, "/crm/v3/objects/contacts", limit=100, properties=",".join(names), archived="false")
    assert response.status_code == 414
    assert "414 Request-URI Too Large" in response.text and response.headers["Content-Type"].startswith("text/html")


def test_a_target_of_8000_characters_passes_and_one_more_fails(portal):
    path = "/crm/v3/objects/contacts?limit=1&properties="
    fits = path + "x" * (8000 - len(path))
    assert requests.get(portal.url + fits, headers=HS_HEADERS).status_code == 200
    assert requests.get(portal.url + fits + "x", headers=HS_HEADERS).status_code == 414


def test_a_search_body_over_3000_characters_is_refused(portal):
    body = {"filterGroups": [], "properties": custom_names(), "limit": 10}
    assert len(json.dumps(body)) > 3000
    error = assert_hs_error(_post(portal, "/crm/v3/objects/contacts/search", body), 400, "VALIDATION_ERROR")
    assert "maximum of 3,000 characters" in error["message"]
    small = {"filterGroups": [], "properties": custom_names(10), "limit": 10}
    assert _post(portal, "/crm/v3/objects/contacts/search", small).status_code == 200


# --- batch read -------------------------------------------------------------------------------

def test_batch_read_returns_every_property_named_in_the_body(portal):
    ids = [str(100_000 + i) for i in range(5)]
    body = {"inputs": [{"id": i} for i in ids], "properties": custom_names(), "propertiesWithHistory": []}
    response = _post(portal, "/crm/v3/objects/contacts/batch/read", body, archived="false")
    assert response.status_code == 200, response.text
    payload = response.json()
    assert payload["status"] == "COMPLETE" and payload["startedAt"] and payload["completedAt"]
    assert "errors" not in payload and "numErrors" not in payload
    assert sorted(r["id"] for r in payload["results"]) == ids
    for record in payload["results"]:
        index = int(record["id"]) - 100_000
        assert record["properties"] == {name: f"v{index}-{n}" for n, name in enumerate(custom_names())}


def test_batch_read_misses_are_a_207_with_the_missing_ids(portal):
    body = {"inputs": [{"id": "100001"}, {"id": "999"}, {"id": "100029"}], "properties": ["email"],
            "propertiesWithHistory": []}
    response = _post(portal, "/crm/v3/objects/contacts/batch/read", body)
    assert response.status_code == 207
    payload = response.json()
    assert [r["id"] for r in payload["results"]] == ["100001"]  # 100029 is archived
    assert payload["numErrors"] == 1
    (error,) = payload["errors"]
    assert error["category"] == "OBJECT_NOT_FOUND" and error["context"]["ids"] == ["999", "100029"]
    archived = _post(portal, "/crm/v3/objects/contacts/batch/read", body, archived="true").json()
    assert [r["id"] for r in archived["results"]] == ["100029"] and archived["results"][0]["archived"] is True


def test_batch_read_limits_and_required_fields(portal):
    too_many = {"inputs": [{"id": str(i)} for i in range(101)], "properties": [], "propertiesWithHistory": []}
    error = assert_hs_error(_post(portal, "/crm/v3/objects/contacts/batch/read", too_many), 400, "VALIDATION_ERROR")
    assert "100" in error["message"]
    history = {"inputs": [{"id": str(i)} for i in range(51)], "properties": [], "propertiesWithHistory": ["email"]}
    assert_hs_error(_post(portal, "/crm/v3/objects/contacts/batch/read", history), 400, "VALIDATION_ERROR")
    assert_hs_error(_post(portal, "/crm/v3/objects/contacts/batch/read", {"inputs": [{"id": "100001"}]}), 400)


def test_batch_read_by_a_unique_property(portal):
    body = {"inputs": [{"id": "person3@example.com"}], "idProperty": "email", "properties": ["email"],
            "propertiesWithHistory": []}
    (record,) = _post(portal, "/crm/v3/objects/contacts/batch/read", body).json()["results"]
    assert record["id"] == "100003"


# --- properties from the declared schema ------------------------------------------------------

def test_properties_serve_the_declaration_not_the_data(portal):
    results = _get(portal, "/crm/v3/properties/contacts").json()["results"]
    by_name = {p["name"]: p for p in results}
    # declared but held by no record (the hand-made contacts have no lifecyclestage)
    assert by_name["lifecyclestage"]["type"] == "enumeration" and by_name["lifecyclestage"]["fieldType"] == "radio"
    assert set(custom_names()) <= set(by_name)
    assert by_name[custom_names()[0]]["groupName"] == "relay_custom"
    shape = {"name", "label", "type", "fieldType", "description", "groupName", "options", "displayOrder",
             "calculated", "externalOptions", "hasUniqueValue", "hidden", "formField", "modificationMetadata",
             "archived", "createdAt", "updatedAt"}
    assert all(shape <= set(p) for p in results)
    assert by_name["email"]["hubspotDefined"] is True and "hubspotDefined" not in by_name[custom_names()[0]]


# --- campaigns and forms ----------------------------------------------------------------------

def _marketing_portal(root: Path) -> Path:
    hubspot = root / "hubspot"
    campaigns = [
        {"id": f"c-{i:03d}", "properties": {"hs_name": f"Campaign {i}", "hs_start_date": "2024-01-01"},
         "createdAt": "2024-01-01T00:00:00.000Z", "updatedAt": "2024-01-02T00:00:00.000Z", "archived": i >= 60}
        for i in range(63)
    ]
    write_records(hubspot / "campaigns.jsonl", campaigns)
    forms = [{"id": f"f-{kind}", "name": kind, "formType": kind, "createdAt": "2024-01-01T00:00:00.000Z",
              "updatedAt": "2024-01-01T00:00:00.000Z", "archived": False}
             for kind in ("hubspot", "captured", "flow", "blog_comment")]
    write_records(hubspot / "forms.jsonl", forms)
    return root


def test_campaign_properties_are_empty_unless_asked_for(tmp_path, start_sandbox_server):
    server = start_sandbox_server(_marketing_portal(tmp_path))
    page = _get(server, "/marketing/v3/campaigns").json()
    assert len(page["results"]) == 50 and page["total"] == 60  # default limit 50; deleted ones not listed
    assert all(r["properties"] == {} for r in page["results"])
    named = _get(server, "/marketing/v3/campaigns", properties="hs_name,hs_budget_items_sum_amount").json()
    assert named["results"][0]["properties"] == {"hs_name": "Campaign 0", "hs_budget_items_sum_amount": None}
    assert_hs_error(_get(server, "/marketing/v3/campaigns", limit=101), 400, "VALIDATION_ERROR")
    # no archived parameter: an unknown parameter is ignored, deleted campaigns never come back
    archived = _get(server, "/marketing/v3/campaigns", archived="true", limit=100).json()["results"]
    assert sorted(r["id"] for r in archived) == [f"c-{i:03d}" for i in range(60)]


def test_forms_are_hubspot_forms_unless_form_types_are_given(tmp_path, start_sandbox_server):
    server = start_sandbox_server(_marketing_portal(tmp_path))

    def ids(**params) -> list[str]:
        return sorted(f["id"] for f in _get(server, "/marketing/v3/forms", **params).json()["results"])

    assert ids() == ["f-hubspot"]
    assert ids(formTypes="all") == ["f-blog_comment", "f-captured", "f-flow", "f-hubspot"]
    assert ids(formTypes="captured,flow") == ["f-captured", "f-flow"]
    assert_hs_error(_get(server, "/marketing/v3/forms", formTypes="popup"), 400, "VALIDATION_ERROR")


# --- search index lag -------------------------------------------------------------------------

def test_search_lags_behind_writes_and_lists_do_not(tmp_path, start_sandbox_server):
    root = write_portal(tmp_path / "portal", contacts=5, custom=0)
    server = start_sandbox_server(root)
    assert requests.post(f"{server.url}/__sandbox/hubspot/limits", json={"search_lag_seconds": 1.5}).ok
    search = {"filterGroups": [{"filters": [{"propertyName": "firstname", "operator": "EQ", "value": "Changed"}]}]}
    assert _post(server, "/crm/v3/objects/contacts/search", search).json()["total"] == 0
    time.sleep(1.6)  # the first version is now old enough to be indexed
    assert _post(server, "/crm/v3/objects/contacts/search", search).json()["total"] == 0
    write_records(root / "hubspot" / "contacts.jsonl", [hs_contact(i, firstname="Changed") for i in range(5)])
    listed = _get(server, "/crm/v3/objects/contacts", properties="firstname").json()["results"]
    assert {r["properties"]["firstname"] for r in listed} == {"Changed"}
    assert _post(server, "/crm/v3/objects/contacts/search", search).json()["total"] == 0
    time.sleep(1.6)
    assert _post(server, "/crm/v3/objects/contacts/search", search).json()["total"] == 5


# --- daily budget -----------------------------------------------------------------------------

def test_the_daily_budget_answers_429_daily_until_it_is_renewed(portal):
    assert requests.post(f"{portal.url}/__sandbox/hubspot/limits", json={"daily_limit": 3}).ok
    for _ in range(3):
        assert _get(portal, "/crm/v3/objects/contacts", limit=1).status_code == 200
    for _ in range(2):
        response = _get(portal, "/crm/v3/objects/contacts", limit=1)
        error = assert_hs_error(response, 429)
        assert error["policyName"] == "DAILY" and error["errorType"] == "RATE_LIMIT"
        assert error["message"] == "You have reached your daily limit."
        assert response.headers["X-HubSpot-RateLimit-Daily-Remaining"] == "0"
        assert response.headers["X-HubSpot-RateLimit-Daily"] == "3"
        time.sleep(1.1)  # not a transient limit: it does not clear in seconds
    assert requests.get(f"{portal.url}/__sandbox/hubspot/limits").json()["used_today"] == 3
    assert requests.post(f"{portal.url}/__sandbox/hubspot/limits", json={"daily_limit": None}).ok
    assert _get(portal, "/crm/v3/objects/contacts", limit=1).status_code == 200


# --- empty objects ----------------------------------------------------------------------------

def test_declared_objects_without_records_are_empty_200s(tmp_path, start_sandbox_server):
    root = tmp_path / "empty"
    (root / "hubspot").mkdir(parents=True)
    (root / "hubspot" / "owners.jsonl").write_bytes(b"")
    server = start_sandbox_server(root)
    for path in ("/crm/v3/owners", "/marketing/v3/campaigns", "/marketing/v3/emails", "/marketing/v3/forms",
                 "/crm/v3/objects/contacts", "/crm/v3/objects/companies"):
        response = _get(server, path)
        assert response.status_code == 200, (path, response.text)
        assert response.json()["results"] == []
    events = _get(server, "/email/public/v1/events").json()
    assert events["events"] == [] and events["hasMore"] is False
    assert _post(server, "/crm/v3/objects/contacts/search", {}).json() == {"total": 0, "results": []}
    batch = _post(server, "/crm/v3/objects/contacts/batch/read",
                  {"inputs": [{"id": "1"}], "properties": [], "propertiesWithHistory": []})
    assert batch.status_code == 207 and batch.json()["results"] == []
    assert {p["name"] for p in _get(server, "/crm/v3/properties/contacts").json()["results"]} >= {"email"}
    assert_hs_error(_get(server, "/crm/v3/objects/widgets"), 400, "VALIDATION_ERROR")  # not declared, no file
