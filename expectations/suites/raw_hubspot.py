"""Suites for the HubSpot raw layer (``raw_hubspot``), one per table: the contract's columns, keys,
the lifecycle, source and event vocabularies the seeds map (warnings), freshness of the
daily-changing ones (contacts, email events)."""

from __future__ import annotations

from expectations.suites.rules import TableRules
from expectations.suites.vocabularies import ANALYTICS_SOURCE, EMAIL_EVENT_TYPE, LIFECYCLE_STAGE

SCHEMA = "raw_hubspot"
V3 = ("id", "created_at", "updated_at", "archived")

TABLES: tuple[TableRules, ...] = (
    TableRules(
        SCHEMA,
        "contacts",
        columns=V3 + ("email", "lifecyclestage", "hs_analytics_source"),
        key="id",
        vocabularies=(LIFECYCLE_STAGE, ANALYTICS_SOURCE),
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
        vocabularies=(EMAIL_EVENT_TYPE,),
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
