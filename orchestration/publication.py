"""BI-safe publishing: BI tools read a copy of the marts that a run replaces atomically.

DuckDB: the marts are copied into a new file beside the published one, which is closed, made
read-only and moved over the old name with ``os.replace`` (atomic on one filesystem). A BI
session that has the old file open keeps reading the old inode, whole and consistent; the next
session opens the new one. The pipeline never writes the file BI opens, so BI never sees a lock.

Postgres: the marts are copied into a fresh schema and swapped in for the published schema in one
transaction; a reader sees the old schema or the new one, never a mix.

Either way a failure before the swap leaves the last good publication as it was.
"""

from __future__ import annotations

import datetime as dt
import os
import stat
import uuid
from dataclasses import dataclass
from pathlib import Path

import duckdb

from ingestion.pipelines.targets import REPO_ROOT

MARTS_SCHEMA = "marts"
PUBLICATION_TABLE = "_publication"


@dataclass(frozen=True)
class Publication:
    location: str
    tables: dict[str, int]
    """Published table -> row count."""
    published_at: str
    run_id: str


def published_path() -> Path:
    """Where BI opens the warehouse: ``RELAY_PUBLISHED_PATH`` (default data/published/relay.duckdb)."""
    path = Path(os.environ.get("RELAY_PUBLISHED_PATH") or REPO_ROOT / "data" / "published" / "relay.duckdb")
    return path if path.is_absolute() else REPO_ROOT / path


def published_pg_schema() -> str:
    return os.environ.get("RELAY_PG_PUBLISHED_SCHEMA") or "published"


def publish_duckdb(warehouse: Path, destination: Path, run_id: str, schema: str = MARTS_SCHEMA) -> Publication:
    """Copy every table of ``schema`` from ``warehouse`` into a new read-only file at ``destination``."""
    if not warehouse.exists():
        raise FileNotFoundError(f"no warehouse at {warehouse}: nothing to publish")
    destination.parent.mkdir(parents=True, exist_ok=True)
    building = destination.with_name(f".{destination.name}.{uuid.uuid4().hex[:8]}.building")
    published_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    try:
        with duckdb.connect(str(building)) as con:
            con.execute(f"attach '{_sql_str(warehouse)}' as source (read_only)")
            tables = [
                name
                for (name,) in con.execute(
                    "select table_name from information_schema.tables"
                    " where table_catalog = 'source' and table_schema = ? and table_type = 'BASE TABLE'"
                    " order by table_name",
                    [schema],
                ).fetchall()
            ]
            if not tables:
                raise RuntimeError(f"the warehouse {warehouse} has no tables in schema {schema!r}: nothing to publish")
            con.execute(f'create schema "{schema}"')
            counts = {}
            for table in tables:
                con.execute(f'create table "{schema}"."{table}" as select * from source."{schema}"."{table}"')
                counts[f"{schema}.{table}"] = con.execute(f'select count(*) from "{schema}"."{table}"').fetchone()[0]
            con.execute(
                f"create table main.{PUBLICATION_TABLE} as"
                " select ?::timestamptz as published_at, ? as run_id, ? as source",
                [published_at, run_id, str(warehouse)],
            )
            con.execute("detach source")
            con.execute("checkpoint")
        building.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
        os.replace(building, destination)
    finally:
        for leftover in (building, building.with_name(building.name + ".wal")):
            if leftover.exists():
                leftover.unlink()
    return Publication(str(destination), counts, published_at, run_id)


def publish_postgres(connection_factory, run_id: str, schema: str = MARTS_SCHEMA, published: str | None = None) -> Publication:
    """Copy ``schema``'s tables into a new schema and swap it in for ``published`` in one transaction."""
    published = published or published_pg_schema()
    building = f"{published}__building"
    published_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    con = connection_factory()
    try:
        with con:  # one transaction: built and swapped, or nothing
            with con.cursor() as cur:
                cur.execute(
                    "select table_name from information_schema.tables"
                    " where table_schema = %s and table_type = 'BASE TABLE' order by table_name",
                    (schema,),
                )
                tables = [name for (name,) in cur.fetchall()]
                if not tables:
                    raise RuntimeError(f"no tables in schema {schema!r}: nothing to publish")
                cur.execute(f'drop schema if exists "{building}" cascade')
                cur.execute(f'create schema "{building}"')
                counts = {}
                for table in tables:
                    cur.execute(f'create table "{building}"."{table}" as select * from "{schema}"."{table}"')
                    counts[f"{published}.{table}"] = cur.rowcount
                cur.execute(
                    f'create table "{building}".{PUBLICATION_TABLE} as'
                    " select %s::timestamptz as published_at, %s::text as run_id",
                    (published_at, run_id),
                )
                cur.execute(f'drop schema if exists "{published}" cascade')
                cur.execute(f'alter schema "{building}" rename to "{published}"')
    finally:
        con.close()
    return Publication(f"schema {published}", counts, published_at, run_id)


def _sql_str(path: Path) -> str:
    return str(path).replace("'", "''")
