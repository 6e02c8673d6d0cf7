"""The declared schema of the sandbox's org and portal: which objects exist and which fields each
declares, whatever the data files happen to hold.

A real org's describe call and a real portal's properties API answer from the account's metadata,
not from its records: a field no record has filled in yet is still listed, and an object with no
records (no Events logged yet, no companies in a new portal) still exists and answers an empty
result. The sandbox therefore serves describe and properties from a declaration, never by looking
at the data:

- ``STANDARD``: the out-of-the-box declaration of every object Relay reads, with the real APIs'
  field types (Salesforce describe ``type``: id, reference, string, picklist, email, url, currency,
  percent, date, datetime, boolean, int, double, textarea, combobox; HubSpot property ``type`` and
  ``fieldType``). Sources: Salesforce's Object Reference (Lead, Contact, Account, Opportunity,
  OpportunityHistory, ... "Fields" tables) and HubSpot's default contact and company properties.
- ``<dir>/schema.json`` (written by the generator, or by hand): ``{"salesforce": {SObject: decl},
  "hubspot": {object: decl}}``. An object's entry replaces its standard declaration whole (that is
  how custom fields are added and how a single-currency org drops ``CurrencyIsoCode``); ``null``
  removes the object from the account.

A Salesforce declaration is ``{"keyPrefix": "00Q", "fields": [{"name", "type", "custom"?,
"referenceTo"?, "length"?, "nillable"?}]}``; a HubSpot one ``{"properties": [{"name", "type",
"fieldType", "groupName"?, "hubspotDefined"?}]}`` (CRM objects and campaigns) or ``{}`` (objects
without a properties list: owners, emails, forms, submissions, events).

A data file that no declaration names (a user dropped ``deals.jsonl`` in) is still served; its
fields are then inferred from its records, which ``declared_fields`` signals by returning None.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

SCHEMA_FILE = "schema.json"

# Every SObject has these (OpportunityHistory lacks LastModifiedDate: it is never modified).
_SF_HEAD = [{"name": "Id", "type": "id"}, {"name": "IsDeleted", "type": "boolean"}]
_SF_TAIL = [
    {"name": "CreatedDate", "type": "datetime"},
    {"name": "LastModifiedDate", "type": "datetime"},
    {"name": "SystemModstamp", "type": "datetime"},
]


def _f(name: str, kind: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "type": kind, **extra}


def _ref(name: str, *targets: str) -> dict[str, Any]:
    return {"name": name, "type": "reference", "referenceTo": list(targets)}


def _sobject(prefix: str, *fields: dict[str, Any], tail: list[dict[str, Any]] = _SF_TAIL) -> dict[str, Any]:
    return {"keyPrefix": prefix, "fields": [*_SF_HEAD, *fields, *tail]}


SALESFORCE: dict[str, dict[str, Any]] = {
    "User": _sobject(
        "005", _f("Username", "string"), _f("FirstName", "string"), _f("LastName", "string"),
        _f("Name", "string"), _f("Email", "email"), _f("IsActive", "boolean"), _f("Department", "string"),
        _f("Title", "string"),
    ),
    "Account": _sobject(
        "001", _ref("MasterRecordId", "Account"), _f("Name", "string"), _f("Website", "url"),
        _f("Industry", "picklist"), _f("NumberOfEmployees", "int"), _f("AnnualRevenue", "currency"),
        _f("BillingCountry", "string"), _f("Type", "picklist"), _ref("OwnerId", "User"),
        _f("CurrencyIsoCode", "picklist"),
    ),
    "Lead": _sobject(
        "00Q", _ref("MasterRecordId", "Lead"), _f("FirstName", "string"), _f("LastName", "string"),
        _f("Email", "email"), _f("Company", "string"), _f("Title", "string"), _f("Country", "string"),
        _f("Status", "picklist"), _f("LeadSource", "picklist"), _f("IsConverted", "boolean"),
        _f("ConvertedDate", "date"), _ref("ConvertedContactId", "Contact"), _ref("ConvertedAccountId", "Account"),
        _ref("ConvertedOpportunityId", "Opportunity"), _ref("OwnerId", "User", "Group"),
    ),
    "Contact": _sobject(
        "003", _ref("MasterRecordId", "Contact"), _ref("AccountId", "Account"), _f("FirstName", "string"),
        _f("LastName", "string"), _f("Email", "email"), _f("Title", "string"), _f("LeadSource", "picklist"),
        _ref("OwnerId", "User"),
    ),
    "Opportunity": _sobject(
        "006", _ref("AccountId", "Account"), _f("Name", "string"), _f("Type", "picklist"),
        _f("StageName", "picklist"), _f("Amount", "currency"), _f("CurrencyIsoCode", "picklist"),
        _f("CloseDate", "date"), _f("IsClosed", "boolean"), _f("IsWon", "boolean"), _f("Probability", "percent"),
        _f("LeadSource", "picklist"), _ref("CampaignId", "Campaign"), _ref("OwnerId", "User"),
    ),
    "OpportunityHistory": _sobject(
        "008", _ref("OpportunityId", "Opportunity"), _f("StageName", "picklist"), _f("Amount", "currency"),
        _f("CloseDate", "date"), _f("Probability", "percent"), _ref("CreatedById", "User"),
        tail=[_f("CreatedDate", "datetime"), _f("SystemModstamp", "datetime")],
    ),
    "OpportunityContactRole": _sobject(
        "00K", _ref("OpportunityId", "Opportunity"), _ref("ContactId", "Contact"), _f("Role", "picklist"),
        _f("IsPrimary", "boolean"),
    ),
    "Campaign": _sobject(
        "701", _f("Name", "string"), _f("Type", "picklist"), _f("Status", "picklist"), _f("StartDate", "date"),
        _f("EndDate", "date"), _f("BudgetedCost", "currency"), _f("ActualCost", "currency"),
        _f("IsActive", "boolean"), _ref("OwnerId", "User"), _f("CurrencyIsoCode", "picklist"),
    ),
    "CampaignMember": _sobject(
        "00v", _ref("CampaignId", "Campaign"), _ref("LeadId", "Lead"), _ref("ContactId", "Contact"),
        _f("Status", "picklist"), _f("HasResponded", "boolean"), _f("FirstRespondedDate", "date"),
    ),
    "Task": _sobject(
        "00T", _ref("WhoId", "Contact", "Lead"), _ref("WhatId", "Account", "Opportunity", "Campaign"),
        _ref("OwnerId", "User"), _f("Subject", "combobox"), _f("Type", "picklist"), _f("TaskSubtype", "picklist"),
        _f("Status", "picklist"), _f("ActivityDate", "date"),
    ),
    "Event": _sobject(
        "00U", _ref("WhoId", "Contact", "Lead"), _ref("WhatId", "Account", "Opportunity", "Campaign"),
        _ref("OwnerId", "User"), _f("Subject", "combobox"), _f("Type", "picklist"), _f("ActivityDate", "date"),
        _f("ActivityDateTime", "datetime"), _f("DurationInMinutes", "int"),
    ),
}


def _p(name: str, kind: str, field_type: str, group: str) -> dict[str, Any]:
    return {"name": name, "type": kind, "fieldType": field_type, "groupName": group, "hubspotDefined": True}


def _crm(group: str, *properties: tuple[str, str, str]) -> dict[str, Any]:
    return {"properties": [_p(name, kind, field_type, group) for name, kind, field_type in properties]}


_LIFECYCLE_DATES = [
    (f"hs_lifecyclestage_{stage}_date", "datetime", "calculation_read_time")
    for stage in ("subscriber", "lead", "marketingqualifiedlead", "salesqualifiedlead", "opportunity", "customer")
]

HUBSPOT: dict[str, dict[str, Any]] = {
    "contacts": _crm(
        "contactinformation",
        ("email", "string", "text"), ("firstname", "string", "text"), ("lastname", "string", "text"),
        ("company", "string", "text"), ("jobtitle", "string", "text"), ("lifecyclestage", "enumeration", "radio"),
        *_LIFECYCLE_DATES,
        ("hs_analytics_source", "enumeration", "select"), ("hs_analytics_source_data_1", "string", "text"),
        ("hubspot_owner_id", "enumeration", "select"), ("associatedcompanyid", "number", "number"),
        ("hs_merged_object_ids", "enumeration", "checkbox"), ("hs_additional_emails", "enumeration", "checkbox"),
        ("createdate", "datetime", "date"), ("lastmodifieddate", "datetime", "date"),
        ("hs_object_id", "number", "number"),
    ),
    "companies": _crm(
        "companyinformation",
        ("name", "string", "text"), ("domain", "string", "text"), ("industry", "enumeration", "select"),
        ("numberofemployees", "number", "number"), ("country", "string", "text"),
        ("hubspot_owner_id", "enumeration", "select"), ("hs_merged_object_ids", "enumeration", "checkbox"),
        ("createdate", "datetime", "date"), ("hs_lastmodifieddate", "datetime", "date"),
        ("hs_object_id", "number", "number"),
    ),
    # The marketing campaigns API answers only the properties a request names (its OpenAPI spec).
    "campaigns": _crm(
        "campaign_information",
        ("hs_name", "string", "text"), ("hs_start_date", "date", "date"), ("hs_end_date", "date", "date"),
        ("hs_goal", "string", "text"), ("hs_budget_items_sum_amount", "number", "number"),
        ("hs_currency_code", "enumeration", "select"), ("hs_notes", "string", "textarea"),
        ("hs_audience", "string", "text"), ("hs_owner", "enumeration", "select"),
    ),
    "owners": {},
    "marketing_emails": {},
    "email_events": {},
    "forms": {},
    "form_submissions": {},
}

STANDARD: dict[str, dict[str, dict[str, Any]]] = {"salesforce": SALESFORCE, "hubspot": HUBSPOT}


class SchemaFileError(ValueError):
    """``schema.json`` is not valid JSON or not in the declared-schema shape."""


_cache: dict[Path, tuple[tuple, dict]] = {}
_cache_lock = threading.Lock()


def declared(data_dir: Path) -> dict[str, dict[str, dict[str, Any]]]:
    """The account's declaration: ``STANDARD`` with ``<data_dir>/schema.json`` laid over it.

    Re-read when the file changes (mtime, size), so a regenerated dataset is served at once."""
    path = Path(data_dir) / SCHEMA_FILE
    try:
        stat = path.stat()
    except FileNotFoundError:
        return STANDARD
    signature = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
    with _cache_lock:
        cached = _cache.get(path)
        if cached and cached[0] == signature:
            return cached[1]
    merged = _overlay(_read(path))
    with _cache_lock:
        _cache[path] = (signature, merged)
    return merged


def _read(path: Path) -> dict[str, Any]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise SchemaFileError(f"{path}: not a readable JSON document ({error})") from None
    if not isinstance(document, dict):
        raise SchemaFileError(f"{path}: expected an object with 'salesforce' and/or 'hubspot'")
    return document


def _overlay(document: dict[str, Any]) -> dict[str, dict[str, dict[str, Any]]]:
    merged = {api: dict(objects) for api, objects in STANDARD.items()}
    for api in merged:
        objects = document.get(api) or {}
        if not isinstance(objects, dict):
            raise SchemaFileError(f"{SCHEMA_FILE}: '{api}' must map object names to declarations")
        for name, declaration in objects.items():
            if declaration is None:
                merged[api].pop(name, None)
            elif isinstance(declaration, dict):
                merged[api][name] = declaration
            else:
                raise SchemaFileError(f"{SCHEMA_FILE}: {api}/{name} must be an object or null")
    return merged


def declared_objects(data_dir: Path, api: str) -> list[str]:
    return list(declared(data_dir)[api])


def declared_fields(data_dir: Path, api: str, name: str) -> list[dict[str, Any]] | None:
    """The declared fields (Salesforce) or properties (HubSpot) of an object, None when the object
    is not declared (its fields are then inferred from its file)."""
    declaration = declared(data_dir)[api].get(name)
    if declaration is None:
        return None
    return list(declaration.get("fields" if api == "salesforce" else "properties", []))

