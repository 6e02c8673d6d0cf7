"""The metric glossary: every metric is documented, and MetricFlow answers metrics by name against a
built DuckDB warehouse with the same numbers a direct SQL query on the marts gives."""

from __future__ import annotations

import csv
import json
import math
import secrets
from datetime import date, datetime

import pytest

from tests.dbt.sandbox_warehouse import BIN, BuiltWarehouse, _run

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("dbt_metricflow")]

GLOSSARY = {
    "leads", "mqls", "sqls", "opportunities", "wins", "win_rate", "lead_to_mql_rate",
    "mql_to_sql_rate", "pipeline", "pipeline_sourced", "bookings", "speed_to_lead_hours",
    "never_followed_up_rate", "sla_met_rate", "campaign_cost", "cost_per_mql", "roi",
}


@pytest.fixture(scope="module")
def warehouse(built_duckdb_warehouse: BuiltWarehouse) -> BuiltWarehouse:
    """The session's sandbox dataset built into DuckDB, on a private copy of the project whose
    target/semantic_manifest.json is what `mf` reads (tests/dbt/conftest.py)."""
    return built_duckdb_warehouse


def mf_query(warehouse: BuiltWarehouse, *args: str) -> list[dict[str, str]]:
    out = warehouse.workdir / f"mf_{secrets.token_hex(4)}.csv"
    env = {**warehouse.run_env(), "DBT_PROFILES_DIR": str(warehouse.project_dir)}
    _run([str(BIN / "mf"), "query", *args, "--csv", str(out)], env, warehouse.project_dir, timeout=600)
    with out.open(newline="") as handle:
        return list(csv.DictReader(handle))


def month_key(value: object) -> str:
    """MetricFlow prints `2024-03-01T00:00:00`, DuckDB returns dates or datetimes."""
    if isinstance(value, (date, datetime)):
        return value.strftime("%Y-%m-%d")
    return str(value)[:10]


def as_float(value: str) -> float | None:
    return None if value in ("", "None", "nan") else float(value)


def assert_same(mf: dict[str, float | None], sql: dict[str, float | None]) -> None:
    assert mf.keys() == sql.keys()
    for key, expected in sql.items():
        actual = mf[key]
        if expected is None:
            assert actual is None or math.isnan(actual), key
        else:
            assert actual == pytest.approx(float(expected), rel=1e-9, abs=1e-6), key


def test_every_metric_has_a_plain_language_description(warehouse: BuiltWarehouse) -> None:
    manifest = json.loads((warehouse.project_dir / "target" / "manifest.json").read_text())
    metrics = {m["name"]: m for m in manifest["metrics"].values()}
    assert GLOSSARY <= metrics.keys()
    undocumented = sorted(name for name, m in metrics.items() if len(m["description"].split()) < 4)
    assert undocumented == []


def test_mqls_by_month_match_the_funnel(warehouse: BuiltWarehouse) -> None:
    rows = mf_query(warehouse, "--metrics", "mqls", "--group-by", "metric_time__month")
    mf = {month_key(r["metric_time__month"]): as_float(r["mqls"]) for r in rows}
    sql = {
        month_key(month): float(n)
        for month, n in warehouse.query(
            "select date_trunc('month', mql_at), count(*) from marts.fct_funnel"
            " where mql_at is not null group by 1"
        )
    }
    assert sum(sql.values()) > 0
    assert_same(mf, sql)


def test_bookings_and_win_rate_by_quarter_match_the_opportunities(warehouse: BuiltWarehouse) -> None:
    rows = mf_query(warehouse, "--metrics", "bookings,win_rate", "--group-by", "metric_time__quarter")
    found = warehouse.query(
        "select date_trunc('quarter', close_date),"
        " sum(case when is_won then amount_reporting else 0 end),"
        " sum(case when is_won then 1 else 0 end) * 1.0 / nullif(sum(case when is_closed then 1 else 0 end), 0)"
        " from marts.fct_opportunities group by 1"
    )
    assert any(booked for _, booked, _ in found)
    assert_same(
        {month_key(r["metric_time__quarter"]): as_float(r["bookings"]) for r in rows},
        {month_key(q): float(b) for q, b, _ in found},
    )
    assert_same(
        {month_key(r["metric_time__quarter"]): as_float(r["win_rate"]) for r in rows},
        {month_key(q): (None if w is None else float(w)) for q, _, w in found},
    )


def test_cohort_conversion_rolls_up_from_the_funnel_kpis_mart(warehouse: BuiltWarehouse) -> None:
    rows = mf_query(warehouse, "--metrics", "lead_to_mql_rate", "--group-by", "metric_time__year")
    found = warehouse.query(
        "select date_trunc('year', cohort_month), sum(leads_reaching_mql) * 1.0 / nullif(sum(leads), 0)"
        " from marts.mart_funnel_kpis group by 1"
    )
    assert_same(
        {month_key(r["metric_time__year"]): as_float(r["lead_to_mql_rate"]) for r in rows},
        {month_key(y): (None if v is None else float(v)) for y, v in found},
    )


def test_campaign_cost_per_mql_and_roi_match_the_campaign_mart(warehouse: BuiltWarehouse) -> None:
    rows = mf_query(
        warehouse, "--metrics", "campaign_cost,cost_per_mql,roi", "--group-by", "campaign__campaign_name"
    )
    found = warehouse.query(
        "select campaign_name, cost, cost_per_mql, roi from marts.mart_campaign_performance"
    )
    assert len({name for name, *_ in found}) == len(found), "campaign names are not unique in this dataset"
    for column, position in (("campaign_cost", 1), ("cost_per_mql", 2), ("roi", 3)):
        assert_same(
            {r["campaign__campaign_name"]: as_float(r[column]) for r in rows},
            {row[0]: (None if row[position] is None else float(row[position])) for row in found},
        )


def test_saved_queries_run(warehouse: BuiltWarehouse) -> None:
    rows = mf_query(warehouse, "--saved-query", "funnel_by_month")
    assert rows and {"leads", "mqls", "bookings"} <= rows[0].keys()
    assert sum(as_float(r["leads"]) or 0 for r in rows) == warehouse.query(
        "select count(*) from marts.fct_funnel where lead_at is not null"
    )[0][0]
