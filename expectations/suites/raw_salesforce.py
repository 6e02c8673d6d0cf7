"""Suites for the Salesforce raw layer (``raw_salesforce``), one per table: the columns of the data
contract (ingestion/sandbox/README.md), keys, vocabularies, and freshness by SystemModstamp for
the objects that change every day (leads, opportunities and their history, tasks, events)."""

from __future__ import annotations

from expectations.suites.rules import TableRules

SCHEMA = "raw_salesforce"
COMMON = ("id", "is_deleted", "created_date", "last_modified_date", "system_modstamp")
STAGES = ("Prospecting", "Qualification", "Needs Analysis", "Proposal", "Negotiation", "Closed Won", "Closed Lost")
CURRENCIES = ("USD", "EUR", "GBP")
LEAD_STATUSES = ("Open - Not Contacted", "Working - Contacted", "Qualified", "Unqualified", "Nurturing")


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
    _table("user", "username", "email", "is_active", "department", accepted={"department": ("Sales", "Marketing")}),
    _table("account", "name", "owner_id", "currency_iso_code", accepted={"currency_iso_code": CURRENCIES}),
    _table(
        "lead",
        "email",
        "status",
        "is_converted",
        "owner_id",
        fresh=True,
        accepted={"status": LEAD_STATUSES},
    ),
    _table("contact", "account_id", "email", "owner_id"),
    _table(
        "opportunity",
        "account_id",
        "stage_name",
        "amount",
        "currency_iso_code",
        "close_date",
        "is_closed",
        "is_won",
        fresh=True,
        not_null=("stage_name",),
        accepted={"stage_name": STAGES, "currency_iso_code": CURRENCIES},
    ),
    _table(
        "opportunity_history",
        "opportunity_id",
        "stage_name",
        fresh=True,
        not_null=("opportunity_id",),
        accepted={"stage_name": STAGES},
    ),
    _table("opportunity_contact_role", "opportunity_id", "contact_id", not_null=("opportunity_id",)),
    _table("campaign", "name", "type", "status", accepted={"currency_iso_code": CURRENCIES}),
    _table("campaign_member", "campaign_id", "status", not_null=("campaign_id",)),
    _table("task", "who_id", "owner_id", "activity_date", fresh=True),
    _table("event", "who_id", "owner_id", "activity_date_time", fresh=True),
)
