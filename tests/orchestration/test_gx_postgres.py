"""The same suites validate in Postgres (the warehouse's other target), in the database."""

from __future__ import annotations

from pathlib import Path

import pytest

from expectations.suites import TableRules
from expectations.validation import validate

pytestmark = pytest.mark.postgres


def test_suites_run_in_postgres_including_reserved_table_names(postgres_warehouse, tmp_path: Path) -> None:
    import psycopg2

    with psycopg2.connect(**postgres_warehouse.pg) as con, con.cursor() as cur:
        cur.execute(
            """
            create schema raw_salesforce;
            create table raw_salesforce."user" as
            select 'U' || i as id, case when i = 3 then 'Legal' else 'Sales' end as department, now() as system_modstamp
            from generate_series(1, 10) as i;
            """
        )
    con.close()
    rules = TableRules(
        "raw_salesforce",
        "user",
        columns=("id", "department"),
        key="id",
        accepted={"department": ("Sales", "Marketing")},
        freshness_column="system_modstamp",
    )
    (table,) = validate([rules], run_id="pg", root=tmp_path / "quality").tables
    by_name = {o.expectation: o for o in table.outcomes}
    assert all(o.error is None for o in table.outcomes), [o.error for o in table.outcomes]
    assert table.row_count == 10
    department = by_name["expect_column_values_to_be_in_set(department)"]
    assert not department.success and department.sample == ["Legal"]
    assert by_name["newest system_modstamp is within 336 hours"].success
    assert table.blocking
    gx_files = "".join(p.read_text(errors="ignore") for p in (tmp_path / "quality").rglob("*.yml"))
    assert "postgresql+psycopg2://" in gx_files
