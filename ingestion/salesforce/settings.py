"""Salesforce constants: API version, the SObjects Relay loads, cursor and key fields, and how
describe's field types map to warehouse column types."""

from __future__ import annotations

API_VERSION = "v61.0"

TOKEN_PATH = "/services/oauth2/token"

# SObject API name -> raw table name (dlt would snake_case the name the same way; spelling it out
# keeps the table names a visible part of the contract with the dbt models).
SOBJECTS: dict[str, str] = {
    "User": "user",
    "Account": "account",
    "Lead": "lead",
    "Contact": "contact",
    "Opportunity": "opportunity",
    "OpportunityHistory": "opportunity_history",
    "OpportunityContactRole": "opportunity_contact_role",
    "Campaign": "campaign",
    "CampaignMember": "campaign_member",
    "Task": "task",
    "Event": "event",
}

PRIMARY_KEY = "Id"
CURSOR_FIELD = "SystemModstamp"
DELETED_FIELD = "IsDeleted"

# describe's field `type` -> dlt data type. Anything not listed (id, reference, string, picklist,
# email, url, phone, textarea, ...) lands as text.
FIELD_TYPES: dict[str, str] = {
    "boolean": "bool",
    "int": "bigint",
    "long": "bigint",
    "double": "double",
    "currency": "double",
    "percent": "double",
    "date": "date",
    "datetime": "timestamp",
}

# Compound fields cannot be selected in SOQL next to their components; the components are loaded.
COMPOUND_FIELD_TYPES = frozenset({"address", "location"})

# Fields every SObject has; typed even before describe answers, so the cursor column is never inferred.
COMMON_COLUMNS: dict[str, str] = {
    "Id": "text",
    "IsDeleted": "bool",
    "CreatedDate": "timestamp",
    "LastModifiedDate": "timestamp",
    "SystemModstamp": "timestamp",
}
