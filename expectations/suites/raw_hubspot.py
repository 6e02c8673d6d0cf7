"""Suites for the HubSpot raw layer (``raw_hubspot``), one per table: the contract's columns, keys,
lifecycle and event vocabularies, freshness of the daily-changing ones (contacts, email events)."""

from __future__ import annotations

from expectations.suites.rules import TableRules

SCHEMA = "raw_hubspot"
V3 = ("id", "created_at", "updated_at", "archived")
LIFECYCLE_STAGES = (
    "subscriber",
    "lead",
    "marketingqualifiedlead",
    "salesqualifiedlead",
    "opportunity",
    "customer",
    "other",
)
EMAIL_EVENT_TYPES = ("SENT", "DELIVERED", "OPEN", "CLICK", "BOUNCE", "STATUSCHANGE")

TABLES: tuple[TableRules, ...] = (
    TableRules(
        SCHEMA,
        "contacts",
        columns=V3 + ("email", "lifecyclestage", "hs_analytics_source"),
        key="id",
        accepted={"lifecyclestage": LIFECYCLE_STAGES},
        freshness_column="updated_at",
    ),
    TableRules(SCHEMA, "companies", columns=V3 + ("name", "domain"), key="id"),
    TableRules(SCHEMA, "owners", columns=("id", "email"), key="id"),
    TableRules(SCHEMA, "campaigns", columns=("id", "hs_name"), key="id"),
    TableRules(SCHEMA, "marketing_emails", columns=("id", "name", "campaign"), key="id"),
    TableRules(
        SCHEMA,
        "email_events",
        columns=("id", "created", "type", "recipient"),
        key="id",
        not_null=("created", "type"),
        accepted={"type": EMAIL_EVENT_TYPES},
        freshness_column="to_timestamp(created / 1000.0)",
    ),
    TableRules(SCHEMA, "forms", columns=("id", "name"), key="id"),
    TableRules(
        SCHEMA,
        "form_submissions",
        columns=("form_id", "conversion_id", "submitted_at", "email"),
        key="conversion_id",
        not_null=("form_id", "submitted_at"),
    ),
)
