"""HubSpot constants: endpoints, page sizes, keys and cursors of every object Relay loads."""

from __future__ import annotations

# CRM v3 objects: table name -> the property the search endpoint filters and sorts by.
CRM_OBJECTS: dict[str, str] = {
    "contacts": "lastmodifieddate",
    "companies": "hs_lastmodifieddate",
}
CRM_OBJECTS_PATH = "/crm/v3/objects/{object_type}"
CRM_SEARCH_PATH = "/crm/v3/objects/{object_type}/search"
CRM_PROPERTIES_PATH = "/crm/v3/properties/{object_type}"
CRM_BATCH_READ_PATH = "/crm/v3/objects/{object_type}/batch/read"
CRM_LIST_LIMIT = 100
# Inputs of one batch read (HubSpot's limit; 50 when property histories are asked for).
CRM_BATCH_READ_LIMIT = 100
# Declared types of listed objects' fields, so a null on the first page cannot decide them.
LISTED_COLUMN_TYPES: dict[str, dict[str, str]] = {
    "marketing_emails": {"primaryEmailCampaignId": "bigint"},
}
CRM_SEARCH_LIMIT = 200
# The search endpoint answers 400 past this many results for one query.
CRM_SEARCH_MAX_RESULTS = 10_000

# Objects without a search endpoint, listed whole on every run (they are small): table -> path.
LISTED_OBJECTS: dict[str, str] = {
    "owners": "/crm/v3/owners",
    "campaigns": "/marketing/v3/campaigns",
    "marketing_emails": "/marketing/v3/emails",
    "forms": "/marketing/v3/forms",
}
LIST_LIMIT = 100
# Listed objects whose API has no archived listing: listed once. (The campaigns API has no
# `archived` parameter and does not list deleted campaigns: HubSpot's campaigns OpenAPI spec.)
LISTED_WITHOUT_ARCHIVED = frozenset({"campaigns"})
# Query parameters of one listed object's requests beyond limit / after / archived.
LISTED_PARAMS: dict[str, dict[str, str]] = {
    # The campaigns API answers an empty `properties` map unless the properties are named; these
    # are HubSpot's campaign properties Relay reads (the campaigns API's property reference).
    "campaigns": {"properties": ",".join((
        "hs_name", "hs_start_date", "hs_end_date", "hs_goal", "hs_budget_items_sum_amount", "hs_currency_code",
        "hs_notes", "hs_audience", "hs_owner",
    ))},
    # Without formTypes the forms API lists `hubspot` forms only.
    "forms": {"formTypes": "all"},
}

FORM_SUBMISSIONS_PATH = "/form-integrations/v1/submissions/forms/{form_id}"
FORM_SUBMISSIONS_LIMIT = 50

EMAIL_EVENTS_PATH = "/email/public/v1/events"
EMAIL_EVENTS_LIMIT = 1000

PRIMARY_KEY = "id"
FORM_SUBMISSION_KEY = "conversionId"
UPDATED_CURSOR = "updatedAt"
ARCHIVED_CURSOR = "archivedAt"
EMAIL_EVENT_CURSOR = "created"
FORM_SUBMISSION_CURSOR = "submittedAt"

# Every cursor re-reads this far back (config `sources.hubspot.lookback_seconds`): search results
# lag recent writes ("may take a few moments" to appear), so a record changed just before a run may
# surface after records changed later; the merge on the primary key makes the re-read idempotent.
DEFAULT_LOOKBACK_SECONDS = 300.0

# Nesting bound: a list or object in a record (below the top-level fields, CRM `properties` lifted)
# is kept as one column of JSON text, never unnested into columns or child tables. Marketing emails
# and forms nest deeply (content widgets keyed by id, field groups): unnested, they would make an
# unbounded number of columns (Postgres caps a table at 1,600).
MAX_TABLE_NESTING = 0

# Timestamps at the top level of v3 records; typed explicitly so that a null first value or dlt's
# timestamp detection cannot decide the column type.
V3_TIMESTAMP_COLUMNS = ("createdAt", "updatedAt", "archivedAt")
