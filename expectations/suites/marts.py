"""Suites for the marts BI reads: the funnel runs forward in time, attribution credit sums to one
per opportunity and model, and no opportunity points at an account the marts do not have."""

from __future__ import annotations

from expectations.suites.rules import TableRules

SCHEMA = "marts"
FUNNEL_STAGES = ("subscriber_at", "lead_at", "mql_at", "sql_at", "opportunity_at", "won_at")
ATTRIBUTION_MODELS = ("first_touch", "last_touch", "linear", "u_shaped", "w_shaped", "time_decay")


def _credit_sums_to_one(model: str) -> tuple[str, str]:
    return (
        f"{model} attribution credit sums to 1 per opportunity",
        f"select opportunity_id, sum(credit_{model}) as credit from {{batch}}"
        f" group by opportunity_id having abs(sum(credit_{model}) - 1) > 0.000001",
    )


TABLES: tuple[TableRules, ...] = (
    TableRules(SCHEMA, "dim_people", columns=("person_id", "email"), key="person_id", track_row_count=False),
    TableRules(SCHEMA, "dim_accounts", columns=("account_id", "account_name"), key="account_id", track_row_count=False),
    TableRules(
        SCHEMA,
        "fct_funnel",
        columns=("person_id",) + FUNNEL_STAGES,
        key="person_id",
        column_pairs_in_order=tuple(zip(FUNNEL_STAGES, FUNNEL_STAGES[1:])),
        track_row_count=False,
    ),
    TableRules(
        SCHEMA,
        "fct_opportunities",
        columns=("opportunity_id", "account_id", "created_at", "amount_reporting"),
        key="opportunity_id",
        unexpected_rows=(
            (
                "every opportunity's account is in dim_accounts",
                "select o.opportunity_id, o.account_id from {batch} as o"
                f" left join {SCHEMA}.dim_accounts as a on o.account_id = a.account_id"
                " where o.account_id is null or a.account_id is null",
            ),
        ),
        track_row_count=False,
    ),
    TableRules(
        SCHEMA,
        "fct_attribution",
        columns=("attribution_id", "opportunity_id", "touch_id") + tuple(f"credit_{m}" for m in ATTRIBUTION_MODELS),
        key="attribution_id",
        unexpected_rows=tuple(_credit_sums_to_one(model) for model in ATTRIBUTION_MODELS),
        track_row_count=False,
    ),
)
