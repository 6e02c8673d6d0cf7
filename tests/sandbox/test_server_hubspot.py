"""The sandbox's HubSpot APIs, exercised with plain requests against a started server."""

from __future__ import annotations

from datetime import datetime

import pytest
import requests

from ingestion.sandbox.client import SandboxClient, page_hubspot
from tests.sandbox.server_helpers import HS_HEADERS, assert_hs_error, hs_contact, read_records, write_records


def _ms(iso: str) -> int:
    return int(datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp() * 1000)


def test_every_hubspot_file_is_served_in_full(sandbox_server, sandbox_dataset):
    served = page_hubspot(SandboxClient(sandbox_server.url))
    in_files = {f"hubspot/{p.stem}": len(read_records(p)) for p in (sandbox_dataset / "hubspot").glob("*.jsonl")}
    assert served == in_files


@pytest.mark.parametrize("name", ["contacts", "companies"])
def test_crm_list_pages_every_record_once_and_archived_only_on_request(sandbox_server, sandbox_dataset, name):
    client = SandboxClient(sandbox_server.url)
    in_file = read_records(sandbox_dataset / "hubspot" / f"{name}.jsonl")
    live = [r["id"] for r in in_file if not r["archived"]]
    archived = [r["id"] for r in in_file if r["archived"]]
    served_live = [r["id"] for r in client.crm_objects(name, limit=7)]
    served_archived = [r for r in client.crm_objects(name, archived=True, limit=7)]
    assert sorted(served_live, key=int) == sorted(live, key=int) and len(set(served_live)) == len(served_live)
    assert sorted(r["id"] for r in served_archived) == sorted(archived)
    assert all(r["archived"] and r["archivedAt"] for r in served_archived)
    if name == "contacts":
        assert archived, "the generated dataset is expected to hold archived contacts"


def test_properties_parameter_default_set_and_nulls(sandbox_server, sandbox_dataset):
    first = requests.get(f"{sandbox_server.url}/crm/v3/objects/contacts", params={"limit": 3},
                         headers=HS_HEADERS).json()["results"]
    assert all(set(r["properties"]) == {"firstname", "lastname", "email", "createdate", "lastmodifieddate",
                                        "hs_object_id"} for r in first)
    chosen = requests.get(f"{sandbox_server.url}/crm/v3/objects/contacts",
                          params={"limit": 3, "properties": "email,lifecyclestage,not_a_property"},
                          headers=HS_HEADERS).json()["results"]
    in_file = {r["id"]: r for r in read_records(sandbox_dataset / "hubspot" / "contacts.jsonl")}
    for record in chosen:
        assert record["properties"] == {
            "email": in_file[record["id"]]["properties"]["email"],
            "lifecyclestage": in_file[record["id"]]["properties"]["lifecyclestage"],
            "not_a_property": None,
        }
        assert set(record) == {"id", "properties", "createdAt", "updatedAt", "archived"}


def test_associations_are_returned_when_asked(sandbox_server, sandbox_dataset):
    client = SandboxClient(sandbox_server.url)
    in_file = {r["id"]: r for r in read_records(sandbox_dataset / "hubspot" / "contacts.jsonl")}
    with_assoc = list(client.crm_objects("contacts", associations=["companies"]))
    for record in with_assoc:
        expected = (in_file[record["id"]].get("associations") or {}).get("companies")
        assert record.get("associations", {}).get("companies") == (expected or None)
    assert any("associations" in r for r in with_assoc)
    assert all("associations" not in r for r in client.crm_objects("contacts"))


@pytest.mark.parametrize("value_kind", ["iso", "epoch_ms"])
def test_search_by_last_modified(sandbox_server, sandbox_dataset, value_kind):
    client = SandboxClient(sandbox_server.url)
    contacts = [r for r in read_records(sandbox_dataset / "hubspot" / "contacts.jsonl") if not r["archived"]]
    stamps = sorted(r["properties"]["lastmodifieddate"] for r in contacts)
    cut = stamps[len(stamps) // 3]
    value = cut if value_kind == "iso" else str(_ms(cut))
    body = {"filterGroups": [{"filters": [{"propertyName": "lastmodifieddate", "operator": "GT", "value": value}]}],
            "sorts": [{"propertyName": "lastmodifieddate", "direction": "ASCENDING"}],
            "properties": ["lastmodifieddate"], "limit": 50}
    served = list(client.crm_search("contacts", body))
    expected = sorted((r for r in contacts if _ms(r["properties"]["lastmodifieddate"]) > _ms(cut)),
                      key=lambda r: (_ms(r["properties"]["lastmodifieddate"]), int(r["id"])))
    assert [r["id"] for r in served] == [r["id"] for r in expected]
    first = client.hs_post("/crm/v3/objects/contacts/search", body)
    assert first["total"] == len(expected)

    low, high = stamps[10], stamps[20]
    between = {"filterGroups": [{"filters": [
        {"propertyName": "lastmodifieddate", "operator": "BETWEEN", "value": low, "highValue": str(_ms(high))}]}],
        "limit": 200}
    got = {r["id"] for r in client.crm_search("contacts", between)}
    assert got == {r["id"] for r in contacts if _ms(low) <= _ms(r["properties"]["lastmodifieddate"]) <= _ms(high)}


def test_companies_search_on_hs_lastmodifieddate(sandbox_server, sandbox_dataset):
    client = SandboxClient(sandbox_server.url)
    companies = [r for r in read_records(sandbox_dataset / "hubspot" / "companies.jsonl") if not r["archived"]]
    cut = sorted(r["properties"]["hs_lastmodifieddate"] for r in companies)[5]
    body = {"filterGroups": [{"filters": [{"propertyName": "hs_lastmodifieddate", "operator": "LTE", "value": cut}]}]}
    got = {r["id"] for r in client.crm_search("companies", body)}
    assert got == {r["id"] for r in companies if r["properties"]["hs_lastmodifieddate"] <= cut}


def test_search_stops_at_10000_results(tmp_path, start_sandbox_server):
    write_records(tmp_path / "hubspot" / "contacts.jsonl", [hs_contact(i) for i in range(10_250)])
    server = start_sandbox_server(tmp_path)
    url = f"{server.url}/crm/v3/objects/contacts/search"
    seen: list[str] = []
    after = 0
    while after + 200 <= 10_000:
        page = requests.post(url, json={"limit": 200, "after": after}, headers=HS_HEADERS).json()
        assert page["total"] == 10_250
        seen += [r["id"] for r in page["results"]]
        after = int(page["paging"]["next"]["after"])
    assert len(seen) == len(set(seen)) == 10_000
    beyond = requests.post(url, json={"limit": 200, "after": 10_000}, headers=HS_HEADERS)
    assert_hs_error(beyond, 400, "VALIDATION_ERROR")
    straddling = requests.post(url, json={"limit": 100, "after": 9_950}, headers=HS_HEADERS)
    assert_hs_error(straddling, 400, "VALIDATION_ERROR")


def test_missing_properties_in_dropped_files_are_null(tmp_path, start_sandbox_server):
    bare = hs_contact(1)
    del bare["properties"]["email"]
    write_records(tmp_path / "hubspot" / "contacts.jsonl", [hs_contact(0, firstname="Ada"), bare])
    server = start_sandbox_server(tmp_path)
    results = SandboxClient(server.url).crm_objects("contacts", properties=["email", "firstname"])
    assert [r["properties"] for r in results] == [
        {"email": "person0@example.com", "firstname": "Ada"}, {"email": None, "firstname": None},
    ]


def test_email_events_time_window_and_offset_paging(sandbox_server, sandbox_dataset):
    client = SandboxClient(sandbox_server.url)
    events = read_records(sandbox_dataset / "hubspot" / "email_events.jsonl")
    created = sorted(e["created"] for e in events)
    low, high = created[len(created) // 4], created[len(created) // 2]
    served = list(client.email_events(limit=37, startTimestamp=low, endTimestamp=high))
    expected = [e for e in events if low <= e["created"] <= high]
    assert sorted(e["id"] for e in served) == sorted(e["id"] for e in expected)
    assert len({e["id"] for e in served}) == len(served)
    assert [e["created"] for e in served] == sorted(e["created"] for e in served)


def test_form_submissions_per_form(sandbox_server, sandbox_dataset):
    client = SandboxClient(sandbox_server.url)
    submissions = read_records(sandbox_dataset / "hubspot" / "form_submissions.jsonl")
    form_id = max({s["formId"] for s in submissions}, key=lambda f: sum(s["formId"] == f for s in submissions))
    served = list(client.form_submissions(form_id, limit=7))
    assert sorted(s["conversionId"] for s in served) == sorted(
        s["conversionId"] for s in submissions if s["formId"] == form_id)
    assert all("formId" not in s for s in served)
    assert [s["submittedAt"] for s in served] == sorted((s["submittedAt"] for s in served), reverse=True)
    assert_hs_error(requests.get(f"{sandbox_server.url}/form-integrations/v1/submissions/forms/no-such-form",
                                 headers=HS_HEADERS), 404)


def test_properties_endpoint(sandbox_server):
    body = requests.get(f"{sandbox_server.url}/crm/v3/properties/contacts", headers=HS_HEADERS).json()
    types = {p["name"]: p["type"] for p in body["results"]}
    assert types["lastmodifieddate"] == "datetime" and types["email"] == "string"
    assert "hs_lifecyclestage_marketingqualifiedlead_date" in types


def test_hubspot_error_shapes(sandbox_server):
    base = sandbox_server.url
    assert_hs_error(requests.get(f"{base}/crm/v3/objects/contacts"), 401, "INVALID_AUTHENTICATION")
    assert_hs_error(requests.get(f"{base}/crm/v3/objects/contacts", headers={"Authorization": "Bearer wrong"}),
                    401, "INVALID_AUTHENTICATION")
    assert_hs_error(requests.get(f"{base}/crm/v3/objects/contacts", params={"limit": 101}, headers=HS_HEADERS),
                    400, "VALIDATION_ERROR")
    assert_hs_error(requests.post(f"{base}/crm/v3/objects/contacts/search", json={"limit": 201},
                                  headers=HS_HEADERS), 400, "VALIDATION_ERROR")
    assert_hs_error(requests.post(f"{base}/crm/v3/objects/contacts/search", data=b"{not json",
                                  headers={**HS_HEADERS, "Content-Type": "application/json"}), 400, "VALIDATION_ERROR")
    assert_hs_error(requests.get(f"{base}/crm/v3/objects/unicorns", headers=HS_HEADERS), 400, "VALIDATION_ERROR")
    assert_hs_error(requests.get(f"{base}/crm/v3/nothing/here", headers=HS_HEADERS), 404)
    bad_filter = {"filterGroups": [{"filters": [{"propertyName": "lastmodifieddate", "operator": "GT",
                                                 "value": "not a date"}]}]}
    assert_hs_error(requests.post(f"{base}/crm/v3/objects/contacts/search", json=bad_filter, headers=HS_HEADERS),
                    400, "VALIDATION_ERROR")


def test_token_paging_finishes_on_the_version_it_started_on(tmp_path, start_sandbox_server):
    path = tmp_path / "hubspot" / "email_events.jsonl"
    original = [{"id": f"e{i}", "created": 1_700_000_000_000 + i * 1000, "type": "SENT"} for i in range(2_500)]
    write_records(path, original)
    server = start_sandbox_server(tmp_path)
    first = requests.get(f"{server.url}/email/public/v1/events", params={"limit": 1000}, headers=HS_HEADERS).json()
    write_records(path, original[::3])  # rewritten mid-paging
    ids, page = [e["id"] for e in first["events"]], first
    while page["hasMore"]:
        page = requests.get(f"{server.url}/email/public/v1/events", params={"limit": 1000, "offset": page["offset"]},
                            headers=HS_HEADERS).json()
        ids += [e["id"] for e in page["events"]]
    assert ids == [e["id"] for e in original]
    fresh = list(SandboxClient(server.url).email_events())
    assert len(fresh) == len(original[::3])
