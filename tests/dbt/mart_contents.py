"""Whole-table contents of the dbt output schemas, comparable across builds and targets."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from tests.dbt.sandbox_warehouse import BuiltWarehouse


def _comparable(value: object) -> object:
    # Numbers compare to 6 decimals: DuckDB and Postgres print float and numeric differently.
    if isinstance(value, (float, Decimal)):
        return round(float(value), 6)
    if isinstance(value, datetime):
        return value.replace(tzinfo=None).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def tables(warehouse: BuiltWarehouse, schema: str) -> list[str]:
    rows = warehouse.query(
        "select table_name from information_schema.tables"
        f" where table_schema = '{schema}' and table_type in ('BASE TABLE') order by table_name"
    )
    return [name for (name,) in rows]


def contents(warehouse: BuiltWarehouse, schema: str, table: str, drop: tuple[str, ...] = ()) -> list[tuple]:
    """Every row of ``schema.table`` (columns in ``drop`` left out), sorted."""
    columns = [
        name for (name,) in warehouse.query(
            "select column_name from information_schema.columns"
            f" where table_schema = '{schema}' and table_name = '{table}' order by ordinal_position"
        )
        if name not in drop
    ]
    quoted = ", ".join(f'"{name}"' for name in columns)
    rows = [tuple(_comparable(v) for v in row) for row in warehouse.query(f'select {quoted} from "{schema}"."{table}"')]
    return sorted(rows, key=lambda row: tuple((v is None, str(v)) for v in row))


def snapshot(warehouse: BuiltWarehouse, schema: str = "marts", drop: tuple[str, ...] = ()) -> dict[str, list[tuple]]:
    """Every table of ``schema``: {table: sorted rows}."""
    return {table: contents(warehouse, schema, table, drop) for table in tables(warehouse, schema)}
