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
CRM_LIST_LIMIT = 100

# -- begin: JSON text fields of listed objects (issue 11 stopgap; the nesting bound generalises it) --
# Kept as one column of JSON text each: a marketing email's sends (a list of numbers the models
# parse) and its content (widgets keyed by widget id: a column per widget id otherwise, without end).
LISTED_JSON_TEXT_FIELDS: dict[str, tuple[str, ...]] = {
    "marketing_emails": ("allEmailCampaignIds", "content"),
}
# Declared types of listed objects' fields, so a null on the first page cannot decide them.
LISTED_COLUMN_TYPES: dict[str, dict[str, str]] = {
    "marketing_emails": {"primaryEmailCampaignId": "bigint", "allEmailCampaignIds": "text", "content": "text"},
}
# -- end: JSON text fields of listed objects --
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

# Timestamps at the top level of v3 records; typed explicitly so that a null first value or dlt's
# timestamp detection cannot decide the column type.
V3_TIMESTAMP_COLUMNS = ("createdAt", "updatedAt", "archivedAt")
