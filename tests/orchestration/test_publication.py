"""Publishing the marts for BI: atomic, read-only, and a failure leaves the last publication."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from orchestration.publication import publish_duckdb, publish_postgres


def _warehouse(path: Path, rows: int) -> Path:
    with duckdb.connect(str(path)) as con:
        con.execute("create schema if not exists marts")
        con.execute(f"create or replace table marts.dim_people as select i as person_id from range({rows}) t(i)")
        con.execute(f"create or replace table marts.fct_funnel as select i as person_id from range({rows}) t(i)")
        con.execute("create schema if not exists raw_salesforce")
        con.execute("create or replace table raw_salesforce.lead as select 1 as id")
    return path


def _counts(con: duckdb.DuckDBPyConnection) -> tuple[int, int]:
    return (
        con.execute("select count(*) from marts.dim_people").fetchone()[0],
        con.execute("select count(*) from marts.fct_funnel").fetchone()[0],
    )


def _counts_in_new_process(path: Path) -> str:
    code = (
        "import duckdb, sys; c = duckdb.connect(sys.argv[1], read_only=True);"
        "print(*[c.execute(f'select count(*) from marts.{t}').fetchone()[0] for t in ('dim_people', 'fct_funnel')])"
    )
    return subprocess.run([sys.executable, "-c", code, str(path)], check=True, capture_output=True, text=True).stdout.strip()


def test_publishes_the_marts_only_into_a_read_only_file(tmp_path: Path) -> None:
    source = _warehouse(tmp_path / "relay.duckdb", 5)
    destination = tmp_path / "published" / "relay.duckdb"
    publication = publish_duckdb(source, destination, run_id="r1")
    assert publication.tables == {"marts.dim_people": 5, "marts.fct_funnel": 5}
    assert not os.access(destination, os.W_OK) or os.geteuid() == 0
    assert destination.stat().st_mode & 0o222 == 0
    with duckdb.connect(str(destination), read_only=True) as con:
        assert _counts(con) == (5, 5)
        assert con.execute("select run_id from main._publication").fetchone() == ("r1",)
        schemas = {s for (s,) in con.execute("select distinct table_schema from information_schema.tables").fetchall()}
    assert schemas == {"marts", "main"}
    assert [p.name for p in destination.parent.iterdir()] == ["relay.duckdb"]


def test_a_reader_keeps_its_publication_while_a_new_one_replaces_it(tmp_path: Path) -> None:
    source = _warehouse(tmp_path / "relay.duckdb", 5)
    destination = tmp_path / "published.duckdb"
    publish_duckdb(source, destination, run_id="r1")
    reader = duckdb.connect(str(destination), read_only=True)
    try:
        assert _counts(reader) == (5, 5)
        _warehouse(source, 7)
        publish_duckdb(source, destination, run_id="r2")
        assert _counts(reader) == (5, 5)
        # A new BI session is another process (in this one DuckDB would hand back the open database).
        assert _counts_in_new_process(destination) == "7 7"
    finally:
        reader.close()


def test_a_failed_publication_leaves_the_last_one_untouched(tmp_path: Path) -> None:
    source = _warehouse(tmp_path / "relay.duckdb", 5)
    destination = tmp_path / "published.duckdb"
    publish_duckdb(source, destination, run_id="r1")
    before = (destination.stat().st_ino, destination.read_bytes())
    with duckdb.connect(str(source)) as con:
        con.execute("drop schema marts cascade")
    with pytest.raises(RuntimeError, match="no tables in schema 'marts'"):
        publish_duckdb(source, destination, run_id="r2")
    assert (destination.stat().st_ino, destination.read_bytes()) == before
    assert [p.name for p in destination.parent.iterdir() if p.name.startswith(".")] == []


@pytest.mark.postgres
def test_postgres_publication_swaps_the_schema_in_one_transaction(postgres_warehouse) -> None:
    import psycopg2

    def connect():
        return psycopg2.connect(**postgres_warehouse.pg)

    with connect() as con, con.cursor() as cur:
        cur.execute("create schema marts; create table marts.dim_people as select generate_series(1, 5) as person_id")
    con.close()
    publication = publish_postgres(connect, run_id="r1")
    assert publication.tables == {"published.dim_people": 5}
    reader = connect()
    try:
        with reader.cursor() as cur:
            cur.execute("select count(*) from published.dim_people")
            assert cur.fetchone() == (5,)
        reader.rollback()  # a reader between queries must not block the swap
        with connect() as con, con.cursor() as cur:
            cur.execute("insert into marts.dim_people select generate_series(6, 9)")
        con.close()
        publish_postgres(connect, run_id="r2")
        with reader.cursor() as cur:
            cur.execute("select count(*) from published.dim_people")
            assert cur.fetchone() == (9,)
            cur.execute("select run_id from published._publication")
            assert cur.fetchone() == ("r2",)
            cur.execute("select count(*) from information_schema.schemata where schema_name like 'published%'")
            assert cur.fetchone() == (1,)
    finally:
        reader.close()
