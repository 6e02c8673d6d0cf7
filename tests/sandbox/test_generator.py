"""The synthetic data generator: determinism, the data contract, integrity, one story across both
systems, and the mess real data has, each in measurable amounts."""

from __future__ import annotations

import statistics
from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from ingestion.sandbox.generator import generate
from tests.sandbox.dataset_checks import (
    DATE, HUBSPOT_DATETIME, SALESFORCE_DATETIME, SF_DATE_FIELDS, SF_DATETIME_FIELDS, SF_KEY_PREFIXES,
    by_id, history_by_opportunity, integrity_problems, load, normalized, readme_contract,
    salesforce_checksum,
)

pytestmark = pytest.mark.xdist_group("sandbox-generator")

AS_OF = date(2024, 6, 30)
AS_OF_MS = int(datetime(2024, 6, 30, tzinfo=UTC).timestamp() * 1000)
PEOPLE = 1500
STAGES = ("subscriber", "lead", "marketingqualifiedlead", "salesqualifiedlead", "opportunity", "customer")


def _ms(text: str) -> int:
    return int(datetime.fromisoformat(text.replace("Z", "+00:00").replace("+0000", "+00:00")).timestamp() * 1000)


@pytest.fixture(scope="module")
def dataset(tmp_path_factory) -> tuple[Path, dict[str, int], dict[str, list[dict]]]:
    out = tmp_path_factory.mktemp("generated")
    counts = generate(out, PEOPLE, 11, AS_OF)
    return out, counts, load(out)


def _files(directory: Path) -> dict[str, bytes]:
    return {str(p.relative_to(directory)): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


def test_same_seed_gives_byte_identical_files(tmp_path):
    generate(tmp_path / "a", 300, 5, AS_OF)
    generate(tmp_path / "b", 300, 5, AS_OF)
    a, b = _files(tmp_path / "a"), _files(tmp_path / "b")
    assert len(a) == 21  # 11 SObjects + 8 HubSpot objects + manifest + schema.json
    assert a == b


def test_different_seed_or_as_of_gives_different_data(tmp_path):
    generate(tmp_path / "a", 300, 5, AS_OF)
    generate(tmp_path / "b", 300, 6, AS_OF)
    generate(tmp_path / "c", 300, 5, date(2024, 7, 31))
    a, b, c = _files(tmp_path / "a"), _files(tmp_path / "b"), _files(tmp_path / "c")
    for other in (b, c):
        differing = [name for name in a if a[name] != other.get(name)]
        assert "hubspot/contacts.jsonl" in differing and "salesforce/Lead.jsonl" in differing


def test_returned_counts_equal_lines_in_files_and_manifest(dataset):
    out, counts, data = dataset
    assert set(counts) == set(data)
    for key, n in counts.items():
        assert n == len((out / f"{key}.jsonl").read_bytes().splitlines()), key
    manifest = __import__("json").loads((out / "manifest.json").read_text())
    assert manifest["counts"] == counts
    assert manifest["seed"] == 11 and manifest["people"] == PEOPLE
    assert manifest["as_of"] == "2024-06-30T00:00:00.000Z"
    # Every object has records, and about 10-15 records per person overall.
    assert all(n > 0 for n in counts.values()), counts
    assert 8 * PEOPLE <= sum(counts.values()) <= 16 * PEOPLE


def test_manifest_max_modified_matches_records(dataset):
    out, _, data = dataset
    manifest = __import__("json").loads((out / "manifest.json").read_text())
    fields = {"email_events": "created", "form_submissions": "submittedAt"}
    for key, records in data.items():
        system, name = key.split("/")
        field = "SystemModstamp" if system == "salesforce" else fields.get(name, "updatedAt")
        assert manifest["max_modified"][key] == max(r[field] for r in records), key


def test_every_record_has_every_field_of_the_readme_contract(dataset):
    _, _, data = dataset
    salesforce, hubspot = readme_contract()
    assert set(salesforce) == set(SF_KEY_PREFIXES)
    common = {"attributes", "Id", "CreatedDate", "LastModifiedDate", "SystemModstamp", "IsDeleted"}
    for sobject, fields in salesforce.items():
        for record in data[f"salesforce/{sobject}"]:
            assert set(record) == fields | common, sobject
            assert record["attributes"] == {
                "type": sobject, "url": f"/services/data/v61.0/sobjects/{sobject}/{record['Id']}"
            }
    crm_common = {"id", "properties", "createdAt", "updatedAt", "archived", "archivedAt"}
    for name, shape in hubspot.items():
        records = data[f"hubspot/{name}"]
        for record in records:
            if name in ("contacts", "companies"):
                expected = crm_common | ({"associations"} if name == "contacts" else set())
                assert set(record) == expected
                assert set(record["properties"]) == set(shape)  # the README lists their properties
                assert all(v is None or isinstance(v, str) for v in record["properties"].values())
            else:
                assert set(record) == set(shape), name
                for field, nested in shape.items():
                    if nested and record[field] is not None:
                        items = record[field] if isinstance(record[field], list) else [record[field]]
                        for item in items:
                            assert set(item) == set(nested), (name, field)


def test_salesforce_ids_are_18_characters_with_key_prefix_and_checksum(dataset):
    _, _, data = dataset
    for sobject, prefix in SF_KEY_PREFIXES.items():
        ids = [r["Id"] for r in data[f"salesforce/{sobject}"]]
        assert len(set(ids)) == len(ids), sobject
        for value in ids:
            assert len(value) == 18 and value.startswith(prefix) and value.isalnum()
            assert value[15:] == salesforce_checksum(value[:15])


def test_hubspot_ids_numeric_and_guids(dataset):
    _, _, data = dataset
    guid = __import__("re").compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
    for name in ("contacts", "companies", "owners", "marketing_emails"):
        ids = [r["id"] for r in data[f"hubspot/{name}"]]
        assert all(i.isdigit() for i in ids) and len(set(ids)) == len(ids), name
    for name in ("campaigns", "forms", "email_events"):
        ids = [r["id"] for r in data[f"hubspot/{name}"]]
        assert all(guid.match(i) for i in ids) and len(set(ids)) == len(ids), name
    ids = [r["conversionId"] for r in data["hubspot/form_submissions"]]
    assert all(guid.match(i) for i in ids) and len(set(ids)) == len(ids)


def test_timestamps_use_each_apis_format_and_never_pass_as_of(dataset):
    _, _, data = dataset
    for key, records in data.items():
        system, name = key.split("/")
        for r in records:
            if system == "salesforce":
                for field in SF_DATETIME_FIELDS & set(r):
                    assert SALESFORCE_DATETIME.match(r[field]), (key, field, r[field])
                for field in SF_DATE_FIELDS & set(r):
                    assert r[field] is None or DATE.match(r[field]), (key, field, r[field])
                created, modified = _ms(r["CreatedDate"]), _ms(r["SystemModstamp"])
                assert r["LastModifiedDate"] == r["SystemModstamp"]
            elif name in ("email_events", "form_submissions"):
                created = modified = r["created" if name == "email_events" else "submittedAt"]
                assert isinstance(created, int) and 10**12 < created < 10**13
            else:
                assert HUBSPOT_DATETIME.match(r["createdAt"]) and HUBSPOT_DATETIME.match(r["updatedAt"])
                created, modified = _ms(r["createdAt"]), _ms(r["updatedAt"])
                for prop, value in (r.get("properties") or {}).items():
                    if value is None or not prop.endswith("date"):
                        continue
                    pattern = DATE if prop in ("hs_start_date", "hs_end_date") else HUBSPOT_DATETIME
                    assert pattern.match(value), (key, prop, value)
                    if pattern is HUBSPOT_DATETIME:
                        assert _ms(value) <= AS_OF_MS
            assert created <= modified <= AS_OF_MS, (key, r)


def test_hubspot_property_timestamps_mirror_the_record(dataset):
    _, _, data = dataset
    for name, prop in (("contacts", "lastmodifieddate"), ("companies", "hs_lastmodifieddate")):
        for r in data[f"hubspot/{name}"]:
            assert r["properties"][prop] == r["updatedAt"] and r["properties"]["createdate"] == r["createdAt"]


def test_references_resolve_everywhere(dataset):
    _, _, data = dataset
    assert integrity_problems(data) == []


def test_accounts_are_the_hubspot_companies(dataset):
    _, _, data = dataset
    accounts = {(a["Name"], a["Website"].removeprefix("https://www.")) for a in data["salesforce/Account"]}
    companies = {(c["properties"]["name"], c["properties"]["domain"]) for c in data["hubspot/companies"]}
    assert accounts == companies


def test_funnel_dates_ascend_in_stage_order(dataset):
    _, _, data = dataset
    reached = Counter()
    for c in data["hubspot/contacts"]:
        p = c["properties"]
        dates = [p[f"hs_lifecyclestage_{s}_date"] for s in STAGES]
        known = [d for d in dates if d is not None]
        # Stages are reached in order: the known dates are a prefix, strictly ascending.
        assert dates[: len(known)] == known, c["id"]
        assert [_ms(d) for d in known] == sorted(_ms(d) for d in known) and len(set(known)) == len(known)
        assert known and known[0] == p["createdate"] == c["createdAt"]
        if p["lifecyclestage"] != "other":
            assert p["lifecyclestage"] == STAGES[len(known) - 1]
        reached[len(known) - 1] += 1
    assert all(reached[k] > 0 for k in range(6)), reached


def test_salesforce_tells_the_same_story_as_hubspot(dataset):
    _, _, data = dataset
    contacts = [c for c in data["hubspot/contacts"] if c["properties"]["email"]]
    by_email = {}
    for c in contacts:
        by_email.setdefault(normalized(c["properties"]["email"]), c)
    leads = [l for l in data["salesforce/Lead"] if l["Email"] and l["LeadSource"] not in ("Purchased List", "Trade Show")]
    matched = 0
    for lead in leads:
        contact = by_email.get(normalized(lead["Email"]))
        if contact is None:
            continue
        p = contact["properties"]
        if p["hs_lifecyclestage_marketingqualifiedlead_date"] is None:
            continue
        matched += 1
        # Sales gets the lead after marketing qualified it, and converts it when HubSpot says SQL.
        assert _ms(lead["CreatedDate"]) >= _ms(p["hs_lifecyclestage_marketingqualifiedlead_date"])
        if lead["IsConverted"]:
            assert lead["ConvertedDate"] == p["hs_lifecyclestage_salesqualifiedlead_date"][:10]
    assert matched > 0.8 * len(leads)
    # Every HubSpot customer has a won opportunity in Salesforce, closed just before the stage change.
    won_close = {}
    contact_of = {l["ConvertedOpportunityId"]: l for l in data["salesforce/Lead"] if l["ConvertedOpportunityId"]}
    for opp in data["salesforce/Opportunity"]:
        if opp["IsWon"]:
            won_close[normalized(contact_of[opp["Id"]]["Email"])] = opp["CloseDate"]
    customers = [c for c in contacts if c["properties"]["hs_lifecyclestage_customer_date"]]
    assert customers
    for c in customers:
        assert normalized(c["properties"]["email"]) in won_close


def test_opportunities_are_internally_consistent(dataset):
    _, _, data = dataset
    probability = {"Prospecting": 10, "Qualification": 20, "Needs Analysis": 40, "Proposal": 60,
                   "Negotiation": 80, "Closed Won": 100, "Closed Lost": 0}
    history = history_by_opportunity(data["salesforce/OpportunityHistory"])
    currencies = Counter()
    for opp in data["salesforce/Opportunity"]:
        assert opp["IsClosed"] == opp["StageName"].startswith("Closed")
        assert opp["IsWon"] == (opp["StageName"] == "Closed Won")
        assert opp["Probability"] == probability[opp["StageName"]]
        assert opp["Amount"] > 0
        currencies[opp["CurrencyIsoCode"]] += 1
        rows = history[opp["Id"]]
        times = [_ms(r["CreatedDate"]) for r in rows]
        assert times == sorted(times) and rows[0]["StageName"] == "Prospecting"
        assert rows[-1]["StageName"] == opp["StageName"]
        assert _ms(opp["CreatedDate"]) <= times[0]
        if opp["IsClosed"]:
            assert opp["CloseDate"] == rows[-1]["CreatedDate"][:10]
    assert set(currencies) == {"USD", "EUR", "GBP"}


def test_campaigns_and_members_are_consistent(dataset):
    _, _, data = dataset
    campaigns = by_id(data["salesforce/Campaign"])
    for c in campaigns.values():
        assert c["StartDate"] < c["EndDate"]
        assert c["Type"] and c["Status"] in ("Planned", "In Progress", "Completed", "Aborted")
        assert c["IsActive"] == (c["Status"] in ("Planned", "In Progress"))
    for m in data["salesforce/CampaignMember"]:
        assert m["HasResponded"] == (m["Status"] == "Responded") == (m["FirstRespondedDate"] is not None)
        assert campaigns[m["CampaignId"]]["StartDate"] <= m["CreatedDate"][:10]


def test_follow_ups_spread_around_an_sla_and_some_mqls_are_never_followed_up(dataset):
    _, _, data = dataset
    first_touch = {}
    for activity in data["salesforce/Task"] + data["salesforce/Event"]:
        who, at = activity["WhoId"], _ms(activity["CreatedDate"])
        if who and who.startswith("00Q"):
            first_touch[who] = min(at, first_touch.get(who, at))
    leads = [l for l in data["salesforce/Lead"] if not l["IsDeleted"]]
    never = [l for l in leads if l["Id"] not in first_touch]
    assert 0.05 * len(leads) < len(never) < 0.5 * len(leads)
    assert all(not l["IsConverted"] for l in never)
    assert {l["Status"] for l in never} <= {"Open - Not Contacted", "Unqualified"}
    hours = [(first_touch[l["Id"]] - _ms(l["CreatedDate"])) / 3_600_000 for l in leads if l["Id"] in first_touch]
    assert all(h > 0 for h in hours)
    assert 1 < statistics.median(hours) < 48
    assert min(hours) < 1 and max(hours) > 72


def test_the_mess_is_present_in_measurable_amounts(dataset):
    _, _, data = dataset
    contacts, leads = data["hubspot/contacts"], data["salesforce/Lead"]
    hs_emails = {c["properties"]["email"] for c in contacts if c["properties"]["email"]}
    hs_normalized = {normalized(e) for e in hs_emails}
    # The same person, typed differently in the two systems.
    retyped = [l for l in leads if l["Email"] and l["Email"] not in hs_emails and normalized(l["Email"]) in hs_normalized]
    assert len(retyped) > 0.05 * len(leads)
    assert any(l["Email"] != l["Email"].strip() for l in retyped)
    assert any(l["Email"] != l["Email"].lower() for l in retyped)
    # Duplicates: the same person twice in HubSpot and twice in Salesforce.
    by_name = Counter((c["properties"]["firstname"], c["properties"]["lastname"], c["properties"]["company"]) for c in contacts)
    hs_same_email = Counter(normalized(c["properties"]["email"]) for c in contacts if c["properties"]["email"])
    assert sum(1 for n in hs_same_email.values() if n > 1) > 0.005 * len(contacts)
    assert sum(1 for n in by_name.values() if n > 1) > 0.01 * len(contacts)
    lead_emails = Counter(normalized(l["Email"]) for l in leads if l["Email"])
    assert sum(1 for n in lead_emails.values() if n > 1) > 0.01 * len(leads)
    sf_contacts = Counter(normalized(c["Email"]) for c in data["salesforce/Contact"] if c["Email"])
    assert sum(1 for n in sf_contacts.values() if n > 1) > 0
    # People with no email.
    assert sum(1 for c in contacts if c["properties"]["email"] is None) > 0.02 * len(contacts)
    # Late-arriving updates: modified long (30+ days) after creation.
    for key in ("salesforce/Lead", "salesforce/Account", "salesforce/Task", "salesforce/Opportunity"):
        late = [r for r in data[key] if _ms(r["SystemModstamp"]) - _ms(r["CreatedDate"]) > 30 * 86_400_000]
        assert len(late) > 0.01 * len(data[key]), key
    late_contacts = [c for c in contacts if _ms(c["updatedAt"]) - _ms(c["createdAt"]) > 30 * 86_400_000]
    assert len(late_contacts) > 0.01 * len(contacts)
    # Soft deletes in Salesforce, archived records in HubSpot.
    for key in ("salesforce/Lead", "salesforce/Task", "salesforce/Contact"):
        assert any(r["IsDeleted"] for r in data[key]), key
    archived = [c for c in contacts if c["archived"]]
    assert archived and all(c["archivedAt"] == c["updatedAt"] for c in archived)
    assert all(c["archivedAt"] is None for c in contacts if not c["archived"])
    assert any(c["archived"] for c in data["hubspot/companies"])
    # Several currencies and both systems' source vocabularies.
    assert {a["CurrencyIsoCode"] for a in data["salesforce/Account"]} == {"USD", "EUR", "GBP"}
    assert len({l["LeadSource"] for l in leads}) >= 5
    assert len({c["properties"]["hs_analytics_source"] for c in contacts}) == 8


def test_email_events_tell_a_plausible_story(dataset):
    _, _, data = dataset
    events = data["hubspot/email_events"]
    kinds = Counter(e["type"] for e in events)
    assert set(kinds) == {"SENT", "DELIVERED", "OPEN", "CLICK", "BOUNCE", "STATUSCHANGE"}
    assert kinds["SENT"] >= kinds["DELIVERED"] > kinds["OPEN"] > kinds["CLICK"]
    assert kinds["SENT"] == kinds["DELIVERED"] + kinds["BOUNCE"] or kinds["SENT"] > kinds["DELIVERED"]
    sends = {e["id"]: e for e in events if e["type"] == "SENT"}
    for e in events:
        assert e["created"] >= e["sentBy"]["created"] == sends[e["sentBy"]["id"]]["created"]
    # Bounded: a few events per contact, not hundreds.
    assert len(events) < 8 * len(data["hubspot/contacts"])
    created = [e["created"] for e in events]
    assert created == sorted(created)


def test_email_events_name_sends_and_emails_list_their_sends(dataset):
    _, _, data = dataset
    emails, events = data["hubspot/marketing_emails"], data["hubspot/email_events"]
    email_ids = {int(e["id"]) for e in emails}
    send_of = {send: e for e in emails for send in e["allEmailCampaignIds"]}
    assert all(isinstance(s, int) for s in send_of) and not set(send_of) & email_ids
    assert {ev["emailCampaignId"] for ev in events} <= set(send_of)
    assert not {ev["emailCampaignId"] for ev in events} & email_ids
    for e in emails:
        if e["state"] == "DRAFT":
            assert e["allEmailCampaignIds"] == [] and e["primaryEmailCampaignId"] is None
        else:
            assert e["primaryEmailCampaignId"] == e["allEmailCampaignIds"][0]
    # some emails were sent more than once (an A/B test or a resend), each send reached people
    several = [e for e in emails if len(e["allEmailCampaignIds"]) > 1]
    assert several and any(e["isAb"] and e["type"] == "AB_EMAIL" for e in several)
    reached = {ev["emailCampaignId"] for ev in events}
    assert sum(all(s in reached for s in e["allEmailCampaignIds"]) for e in several) >= len(several) // 2
    # an email's stats count its sends' events
    by_email = Counter((send_of[ev["emailCampaignId"]]["id"], ev["type"]) for ev in events)
    for e in emails:
        counters = e["stats"]["counters"]
        assert counters.get("sent", 0) == by_email[(e["id"], "SENT")]
        assert counters.get("open", 0) == by_email[(e["id"], "OPEN")]


def test_marketing_emails_and_forms_are_nested_like_the_v3_apis(dataset):
    _, _, data = dataset
    emails, forms = data["hubspot/marketing_emails"], data["hubspot/forms"]
    widget_ids = set()
    for e in emails:
        content = e["content"]
        widgets, sections = content["widgets"], content["flexAreas"]["main"]["sections"]
        placed = {w for section in sections for column in section["columns"] for w in column["widgets"]}
        assert placed and placed <= set(widgets)  # the layout names widgets of the map
        assert all(widgets[w]["id"] == w for w in widgets)
        widget_ids |= set(widgets)
        assert set(e["from"]) == {"fromName", "replyTo", "customReplyTo"}
        assert e["to"]["contactLists"]["include"] and e["subscriptionDetails"]["subscriptionName"]
    assert len(widget_ids) > len(emails)  # classic emails' widget ids are their own: the keys never end
    assert {e["emailTemplateMode"] for e in emails} == {"DRAG_AND_DROP", "DESIGN_MANAGER"}
    assert {f["formType"] for f in forms} == {"hubspot", "flow", "captured"}
    for f in forms:
        fields = [field for group in f["fieldGroups"] for field in group["fields"]]
        assert "email" in {field["name"] for field in fields}
        assert {"postSubmitAction", "language"} <= set(f["configuration"])
        assert f["displayOptions"]["submitButtonText"] and f["legalConsentOptions"]["type"]
    # forms of other types than hubspot have submissions
    other = {f["id"] for f in forms if f["formType"] != "hubspot"}
    assert any(s["formId"] in other for s in data["hubspot/form_submissions"])


@pytest.mark.parametrize("people", [99, 1_000_001, 0, -5, 10.5, "1000", True])
def test_people_out_of_range_is_a_clear_error(tmp_path, people):
    with pytest.raises(ValueError, match="people must be"):
        generate(tmp_path, people, 1, AS_OF)
    assert not any(tmp_path.iterdir())


def test_bad_seed_and_as_of_are_clear_errors(tmp_path):
    with pytest.raises(ValueError, match="seed must be"):
        generate(tmp_path, 100, -1, AS_OF)
    with pytest.raises(ValueError, match="as_of must be"):
        generate(tmp_path, 100, 1, "yesterday")


def test_as_of_defaults_to_todays_utc_midnight(tmp_path):
    generate(tmp_path, 100, 3)
    manifest = __import__("json").loads((tmp_path / "manifest.json").read_text())
    assert manifest["as_of"] == datetime.now(UTC).strftime("%Y-%m-%dT00:00:00.000Z")


def test_smallest_dataset_is_whole_and_consistent(tmp_path):
    counts = generate(tmp_path, 100, 9, AS_OF)
    data = load(tmp_path)
    assert set(data) == set(counts) and len(counts) == 19
    assert all(len(data[key]) == n for key, n in counts.items())
    assert integrity_problems(data) == []


def test_regenerating_a_directory_drops_the_old_mutation_logs(tmp_path):
    from ingestion.sandbox.generator import mutate

    generate(tmp_path, 200, 1, AS_OF)
    mutate(tmp_path, 0.1, 1)
    assert (tmp_path / "mutations" / "1.json").exists()
    generate(tmp_path, 200, 1, AS_OF)
    assert not (tmp_path / "mutations").exists()
    assert __import__("json").loads((tmp_path / "manifest.json").read_text())["mutations"] == 0
