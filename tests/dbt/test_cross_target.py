"""One generated dataset loaded into DuckDB and into a fresh Postgres database, `dbt build` on both:
every mart must hold the same rows on both warehouses."""

from __future__ import annotations

import math
from datetime import datetime, timezone
from decimal import Decimal

import pytest

from tests.dbt.sandbox_warehouse import BuiltWarehouse

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.xdist_group("dbt_cross_target")]

# Columns that record when or in which load a row was written, not what it says.
BOOKKEEPING_PREFIXES = ("_dlt_", "dbt_")


@pytest.fixture(scope="module")
def warehouses(
    built_duckdb_warehouse: BuiltWarehouse, built_postgres_warehouse: BuiltWarehouse
) -> tuple[BuiltWarehouse, BuiltWarehouse]:
    """The session's sandbox dataset, loaded and built on each target (tests/dbt/conftest.py)."""
    return built_duckdb_warehouse, built_postgres_warehouse


def mart_tables(warehouse: BuiltWarehouse) -> list[str]:
    return [
        name
        for (name,) in warehouse.query(
            "select table_name from information_schema.tables"
            " where table_schema = 'marts' and table_type in ('BASE TABLE', 'VIEW') order by table_name"
        )
    ]


def mart_columns(warehouse: BuiltWarehouse, table: str) -> list[str]:
    return [
        name
        for (name,) in warehouse.query(
            "select column_name from information_schema.columns"
            f" where table_schema = 'marts' and table_name = '{table}' order by ordinal_position"
        )
        if not name.startswith(BOOKKEEPING_PREFIXES)
    ]


def normalized(value: object) -> object:
    """Same meaning, same Python value: numbers as floats, timestamps without zone."""
    if isinstance(value, (Decimal, float)):
        return float(value)
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(timezone.utc).replace(tzinfo=None)
    return value


def sort_key(row: tuple) -> tuple:
    # Exact values first, rounded floats last: rounding noise can't reorder rows with distinct keys.
    exact = tuple((v is None, str(v)) for v in row if not isinstance(v, float))
    approx = tuple(round(v, 6) for v in row if isinstance(v, float))
    return exact + approx


def contents(warehouse: BuiltWarehouse, table: str, columns: list[str]) -> list[tuple]:
    quoted = ", ".join(f'"{c}"' for c in columns)
    rows = [tuple(normalized(v) for v in row) for row in warehouse.query(f'select {quoted} from marts."{table}"')]
    return sorted(rows, key=sort_key)


def same_value(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-6)
    return a == b


def test_both_warehouses_build_the_same_marts(warehouses: tuple[BuiltWarehouse, BuiltWarehouse]) -> None:
    on_duckdb, on_postgres = warehouses
    tables = mart_tables(on_duckdb)
    assert {"fct_attribution", "mart_funnel_kpis", "mart_campaign_performance", "fct_funnel"} <= set(tables)
    assert mart_tables(on_postgres) == tables


def test_every_mart_is_equal_row_for_row(warehouses: tuple[BuiltWarehouse, BuiltWarehouse]) -> None:
    on_duckdb, on_postgres = warehouses
    differences: list[str] = []
    for table in mart_tables(on_duckdb):
        columns = mart_columns(on_duckdb, table)
        if mart_columns(on_postgres, table) != columns:
            differences.append(f"{table}: columns {columns} vs {mart_columns(on_postgres, table)}")
            continue
        left, right = contents(on_duckdb, table, columns), contents(on_postgres, table, columns)
        if len(left) != len(right):
            differences.append(f"{table}: {len(left)} rows on DuckDB, {len(right)} on Postgres")
            continue
        for a, b in zip(left, right):
            unequal = [c for c, x, y in zip(columns, a, b) if not same_value(x, y)]
            if unequal:
                differences.append(
                    f"{table}: first differing row, columns {unequal}:\n  duckdb   {a}\n  postgres {b}"
                )
                break
    assert differences == [], "\n".join(differences)


def test_the_comparison_sees_data(warehouses: tuple[BuiltWarehouse, BuiltWarehouse]) -> None:
    """Equal because both are full, not because both are empty."""
    on_duckdb, on_postgres = warehouses
    for table in ("fct_attribution", "mart_funnel_kpis", "mart_campaign_performance"):
        count = on_duckdb.query(f"select count(*) from marts.{table}")[0][0]
        assert count > 0, table
        assert on_postgres.query(f"select count(*) from marts.{table}")[0][0] == count
