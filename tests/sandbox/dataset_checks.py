"""Readers and invariant checks for a generated sandbox data directory, shared by the generator
tests (after ``generate`` and after ``mutate``)."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import orjson

SALESFORCE_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+0000$")
HUBSPOT_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
README = Path(__file__).resolve().parents[2] / "ingestion" / "sandbox" / "README.md"

SF_KEY_PREFIXES = {
    "User": "005", "Account": "001", "Lead": "00Q", "Contact": "003", "Opportunity": "006",
    "OpportunityHistory": "008", "OpportunityContactRole": "00K", "Campaign": "701",
    "CampaignMember": "00v", "Task": "00T", "Event": "00U",
}
SF_DATETIME_FIELDS = {"CreatedDate", "LastModifiedDate", "SystemModstamp", "ActivityDateTime"}
SF_DATE_FIELDS = {"ConvertedDate", "CloseDate", "StartDate", "EndDate", "FirstRespondedDate", "ActivityDate"}


def load(data_dir: Path) -> dict[str, list[dict]]:
    """Every object file as a list of records, keyed like ``salesforce/Lead``."""
    data = {}
    for system in ("salesforce", "hubspot"):
        for path in sorted((data_dir / system).glob("*.jsonl")):
            data[f"{system}/{path.stem}"] = [orjson.loads(line) for line in path.read_bytes().splitlines()]
    return data


def by_id(records: list[dict], key: str = "Id") -> dict[str, dict]:
    return {r[key]: r for r in records}


def normalized(email: str | None) -> str | None:
    return email.strip().lower() if email else None


def salesforce_checksum(fifteen: str) -> str:
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
    out = ""
    for chunk in range(3):
        bits = sum(1 << i for i, ch in enumerate(fifteen[chunk * 5 : chunk * 5 + 5]) if "A" <= ch <= "Z")
        out += alphabet[bits]
    return out


# -- the contract, read from the README itself so the tests and the document cannot drift apart ---
def _split_top_level(text: str) -> list[str]:
    items, depth, current = [], 0, ""
    for ch in text:
        if ch in "{[":
            depth += 1
        elif ch in "}]":
            depth -= 1
        if ch == "," and depth == 0:
            items.append(current.strip())
            current = ""
        else:
            current += ch
    if current.strip():
        items.append(current.strip())
    return items


def _parse_shape(text: str) -> dict[str, dict | None]:
    """``a, b {c, d}, e [{f}]`` -> {"a": None, "b": {"c": None, "d": None}, "e": {"f": None}}."""
    shape: dict[str, dict | None] = {}
    for item in _split_top_level(text):
        match = re.match(r"^(\w+)\s*(.*)$", item)
        name, rest = match.group(1), match.group(2).strip()
        shape[name] = _parse_shape(rest.strip("[]{} ")) if rest else None
    return shape


def readme_contract() -> tuple[dict[str, set[str]], dict[str, dict]]:
    """(Salesforce SObject -> fields besides the common ones, HubSpot file -> shape) from the README."""
    text = README.read_text(encoding="utf-8")
    salesforce, hubspot = {}, {}
    section = text.split("### Salesforce", 1)[1].split("## Wire formats", 1)[0]
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 2 or cells[0] in ("SObject", "file") or cells[0].startswith("---"):
            continue
        body = re.sub(r"\([^)]*\)", "", cells[1])
        if cells[0].endswith(".jsonl"):
            body = body.split(":", 1)[1].split(". ", 1)[0]
            hubspot[cells[0].removesuffix(".jsonl")] = _parse_shape(body)
        else:
            salesforce[cells[0]] = {f.strip() for f in body.split(",")}
    return salesforce, hubspot


# -- integrity ---------------------------------------------------------------------------------
def integrity_problems(data: dict[str, list[dict]]) -> list[str]:
    """Every reference that does not resolve, and every live record that points at a deleted parent."""
    problems: list[str] = []
    sf = {k.split("/")[1]: v for k, v in data.items() if k.startswith("salesforce/")}
    hs = {k.split("/")[1]: v for k, v in data.items() if k.startswith("hubspot/")}
    ids = {name: by_id(records) for name, records in sf.items()}
    deleted = {name: {i for i, r in recs.items() if r["IsDeleted"]} for name, recs in ids.items()}

    def check(obj: str, field: str, targets: tuple[str, ...], nullable: bool = True, live_parent: bool = False):
        for r in sf[obj]:
            value = r[field]
            if value is None:
                if not nullable:
                    problems.append(f"{obj} {r['Id']}: {field} is null")
                continue
            found = [t for t in targets if value in ids[t]]
            if not found:
                problems.append(f"{obj} {r['Id']}: {field} {value} not found in {targets}")
            elif live_parent and not r["IsDeleted"] and any(value in deleted[t] for t in found):
                problems.append(f"{obj} {r['Id']}: live record points at deleted {field} {value}")

    for obj in ("Account", "Lead", "Contact", "Opportunity", "Campaign", "Task", "Event"):
        check(obj, "OwnerId", ("User",), nullable=False)
    check("Lead", "ConvertedContactId", ("Contact",))
    check("Lead", "ConvertedAccountId", ("Account",))
    check("Lead", "ConvertedOpportunityId", ("Opportunity",))
    check("Contact", "AccountId", ("Account",), nullable=False)
    check("Opportunity", "AccountId", ("Account",), nullable=False)
    check("Opportunity", "CampaignId", ("Campaign",))
    check("OpportunityHistory", "OpportunityId", ("Opportunity",), nullable=False, live_parent=True)
    check("OpportunityHistory", "CreatedById", ("User",), nullable=False)
    check("OpportunityContactRole", "OpportunityId", ("Opportunity",), nullable=False, live_parent=True)
    check("OpportunityContactRole", "ContactId", ("Contact",), nullable=False)
    check("CampaignMember", "CampaignId", ("Campaign",), nullable=False)
    check("CampaignMember", "LeadId", ("Lead",), live_parent=True)
    check("CampaignMember", "ContactId", ("Contact",))
    for obj in ("Task", "Event"):
        check(obj, "WhoId", ("Lead", "Contact"), live_parent=True)
        check(obj, "WhatId", ("Opportunity",), live_parent=True)
    for r in sf["Lead"]:
        if r["IsConverted"] != (r["ConvertedContactId"] is not None) or r["IsConverted"] != (r["ConvertedDate"] is not None):
            problems.append(f"Lead {r['Id']}: IsConverted disagrees with its converted fields")
    for r in sf["CampaignMember"]:
        if r["LeadId"] is None and r["ContactId"] is None:
            problems.append(f"CampaignMember {r['Id']}: neither LeadId nor ContactId")

    owners = {o["id"] for o in hs["owners"]}
    companies = {c["id"] for c in hs["companies"]}
    for c in hs["contacts"]:
        p = c["properties"]
        if p["hubspot_owner_id"] is not None and p["hubspot_owner_id"] not in owners:
            problems.append(f"contact {c['id']}: owner {p['hubspot_owner_id']} not found")
        if p["associatedcompanyid"] is not None and p["associatedcompanyid"] not in companies:
            problems.append(f"contact {c['id']}: company {p['associatedcompanyid']} not found")
        associated = [a["id"] for a in c["associations"]["companies"]["results"]]
        if associated != ([p["associatedcompanyid"]] if p["associatedcompanyid"] else []):
            problems.append(f"contact {c['id']}: associations disagree with associatedcompanyid")
        if p["hs_object_id"] != c["id"]:
            problems.append(f"contact {c['id']}: hs_object_id differs")
    for c in hs["companies"]:
        if c["properties"]["hubspot_owner_id"] not in owners:
            problems.append(f"company {c['id']}: owner not found")
    campaigns = {c["id"] for c in hs["campaigns"]}
    for e in hs["marketing_emails"]:
        if e["campaign"] is not None and e["campaign"] not in campaigns:
            problems.append(f"marketing email {e['id']}: campaign {e['campaign']} not found")
    # An event names a send (emailCampaignId); the email lists its sends.
    sends = {}
    for e in hs["marketing_emails"]:
        for send in e["allEmailCampaignIds"]:
            if send in sends:
                problems.append(f"send {send} belongs to marketing emails {sends[send]} and {e['id']}")
            sends[send] = e["id"]
        if e["primaryEmailCampaignId"] is not None and e["primaryEmailCampaignId"] not in e["allEmailCampaignIds"]:
            problems.append(f"marketing email {e['id']}: primary send is not among its sends")
    recipients = {c["properties"]["email"] for c in hs["contacts"] if c["properties"]["email"]}
    sent_ids = {e["id"] for e in hs["email_events"] if e["type"] == "SENT"}
    for e in hs["email_events"]:
        if e["emailCampaignId"] not in sends:
            problems.append(f"email event {e['id']}: send {e['emailCampaignId']} is no marketing email's")
        if e["recipient"] not in recipients:
            problems.append(f"email event {e['id']}: recipient {e['recipient']} is no contact's email")
        if e["sentBy"]["id"] not in sent_ids:
            problems.append(f"email event {e['id']}: sentBy {e['sentBy']['id']} is no SENT event")
    forms = {f["id"] for f in hs["forms"]}
    for s in hs["form_submissions"]:
        if s["formId"] not in forms:
            problems.append(f"submission {s['conversionId']}: form not found")

    # Across systems: owners are the same people as users, companies the same as accounts.
    if {normalized(u["Email"]) for u in sf["User"]} != {normalized(o["email"]) for o in hs["owners"]}:
        problems.append("Salesforce users and HubSpot owners are not the same people")
    hs_campaign_names = {c["properties"]["hs_name"] for c in hs["campaigns"]}
    missing = [c["Name"] for c in sf["Campaign"] if c["Name"] not in hs_campaign_names]
    if missing:
        problems.append(f"Salesforce campaigns without a HubSpot twin: {missing[:3]}")
    return problems


def history_by_opportunity(history: list[dict]) -> dict[str, list[dict]]:
    grouped = defaultdict(list)
    for row in history:
        grouped[row["OpportunityId"]].append(row)
    return grouped


FUNNEL = ("subscriber", "lead", "marketingqualifiedlead", "salesqualifiedlead", "opportunity", "customer")


def funnel_problems(contacts: list[dict], parse) -> list[str]:
    """Contacts whose lifecycle-stage dates are not an ascending prefix of the funnel."""
    problems = []
    for c in contacts:
        p = c["properties"]
        dates = [p[f"hs_lifecyclestage_{s}_date"] for s in FUNNEL]
        known = [d for d in dates if d is not None]
        times = [parse(d) for d in known]
        if dates[: len(known)] != known or times != sorted(times) or len(set(times)) != len(times):
            problems.append(f"contact {c['id']}: stage dates out of order {dates}")
        elif p["lifecyclestage"] != "other" and p["lifecyclestage"] != FUNNEL[len(known) - 1]:
            problems.append(f"contact {c['id']}: lifecyclestage {p['lifecyclestage']} vs dates {dates}")
    return problems
