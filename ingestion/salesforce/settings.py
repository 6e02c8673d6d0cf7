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

# Rows re-read behind the last run's SystemModstamp: a transaction can commit with a SystemModstamp
# earlier than one a previous run already read (the stamp is taken when the transaction starts).
# Re-read rows merge by Id, so the window costs requests, never duplicates.
LOOKBACK_SECONDS = 300

# Bulk API 2.0 for an object with at least this many changed records ("designed to handle queries
# that return large amounts of data (10,000 records or more)": Winter '20 release notes), REST below.
BULK_MIN_RECORDS = 10_000
QUERY_APIS = ("auto", "rest", "bulk")

# Salesforce refuses a request whose URI plus headers pass 16,384 bytes (414 / 431). A query URL
# longer than this goes to Bulk API 2.0, whose SOQL travels in the body; the rest of the budget is
# left to the headers (the OAuth token alone is ~110 bytes; proxies add their own).
MAX_QUERY_URL_BYTES = 12_288

# Bulk result pages: records per page (each page is one request and one Arrow table), and polling.
BULK_PAGE_RECORDS = 50_000
BULK_POLL_FIRST_SECONDS = 0.1
BULK_POLL_MAX_SECONDS = 10.0
BULK_TIMEOUT_SECONDS = 6 * 60 * 60

# The two kinds of REQUEST_LIMIT_EXCEEDED, told apart by their message: the org's rolling 24-hour
# request budget, and too many long requests at once (ConcurrentRequests, ConcurrentPerOrgLongTxn).
DAILY_LIMIT_MESSAGE = "TotalRequests"
