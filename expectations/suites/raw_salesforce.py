"""Suites for the Salesforce raw layer (``raw_salesforce``), one per table: the columns of the data
contract (ingestion/sandbox/README.md), keys, the vocabularies the seeds map (warnings), and
freshness by SystemModstamp for the objects that change every day (leads, opportunities and their
history, tasks, events)."""

from __future__ import annotations

from expectations.suites.rules import TableRules
from expectations.suites.vocabularies import CURRENCY, LEAD_SOURCE, LEAD_STATUS, OPPORTUNITY_STAGE

SCHEMA = "raw_salesforce"
# Every SObject has these (OpportunityHistory rows are never modified: no LastModifiedDate).
COMMON = ("id", "is_deleted", "created_date", "system_modstamp")


def _table(table: str, *columns: str, fresh: bool = False, **kwargs) -> TableRules:
    """``fresh``: the object changes every day in a working org, so a stale newest change is news."""
    return TableRules(
        schema=SCHEMA,
        table=table,
        columns=COMMON + columns,
        key="id",
        not_null=("system_modstamp",) + kwargs.pop("not_null", ()),
        freshness_column="system_modstamp" if fresh else None,
        **kwargs,
    )


TABLES: tuple[TableRules, ...] = (
    _table("user", "username", "email", "is_active"),
    _table("account", "name", "owner_id", vocabularies=(CURRENCY,)),
    _table(
        "lead",
        "email",
        "status",
        "is_converted",
        "owner_id",
        fresh=True,
        vocabularies=(LEAD_STATUS, LEAD_SOURCE),
    ),
    _table("contact", "account_id", "email", "owner_id"),
    _table(
        "opportunity",
        "account_id",
        "stage_name",
        "amount",
        "close_date",
        "is_closed",
        "is_won",
        fresh=True,
        not_null=("stage_name",),
        vocabularies=(OPPORTUNITY_STAGE, CURRENCY),
    ),
    _table(
        "opportunity_history",
        "opportunity_id",
        "stage_name",
        fresh=True,
        not_null=("opportunity_id",),
        vocabularies=(OPPORTUNITY_STAGE,),
    ),
    _table("opportunity_contact_role", "opportunity_id", "contact_id", not_null=("opportunity_id",)),
    _table("campaign", "name", "type", "status", vocabularies=(CURRENCY,)),
    _table("campaign_member", "campaign_id", "status", not_null=("campaign_id",)),
    _table("task", "who_id", "owner_id", "activity_date", fresh=True),
    _table("event", "who_id", "owner_id", "activity_date_time", fresh=True),
)
