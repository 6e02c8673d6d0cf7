"""Removing rows a resumed load wrote twice.

dlt resumes an interrupted load by re-running the jobs not marked completed. A job killed after
its COPY into the staging table committed, but before dlt recorded it as completed, is run again, so
the staging table holds those rows twice (same ``_dlt_id``). dlt's merge deduplicates staging rows by
primary key for a table without nested tables and by row key for nested tables, but for the root of
a table with nested tables (``owners`` + ``owners__teams``) it inserts every staging row whose
``_dlt_id`` it selected, so both
copies land (dlt 1.31, ``SqlMergeFollowupJob.gen_merge_sql``). Such copies are identical, down to
``_dlt_id``; this keeps one of each. It runs after every load and costs one grouped scan per
affected table.
"""

from __future__ import annotations

import dlt
from dlt.common import logger
from dlt.common.schema.utils import get_nested_tables, is_nested_table


def merge_roots_with_nested_tables(pipeline: dlt.Pipeline) -> list[str]:
    schema = pipeline.default_schema
    roots = []
    for table in schema.data_tables(seen_data_only=True):
        if is_nested_table(table) or table.get("write_disposition") != "merge":
            continue
        if len(get_nested_tables(schema.tables, table["name"])) > 1:
            roots.append(table["name"])
    return roots


def remove_replayed_rows(pipeline: dlt.Pipeline) -> dict[str, int]:
    """Delete the second copy of rows with the same ``_dlt_id`` in merge root tables that have
    nested tables; returns rows removed per table (normally none)."""
    removed: dict[str, int] = {}
    destination = pipeline.destination.destination_name
    with pipeline.sql_client() as client:
        for table in merge_roots_with_nested_tables(pipeline):
            qualified = client.make_qualified_table_name(table)
            row_id = client.escape_column_name("_dlt_id")
            duplicated = client.execute_sql(
                f"SELECT count(*) - count(DISTINCT {row_id}) FROM {qualified}"
            )[0][0]
            if not duplicated:
                continue
            if destination == "postgres":
                client.execute_sql(
                    f"DELETE FROM {qualified} a USING {qualified} b"
                    f" WHERE a.{row_id} = b.{row_id} AND a.ctid > b.ctid"
                )
            else:
                client.execute_sql(
                    f"DELETE FROM {qualified} WHERE rowid IN (SELECT rowid FROM (SELECT rowid,"
                    f" row_number() OVER (PARTITION BY {row_id} ORDER BY rowid) AS n FROM {qualified})"
                    " WHERE n > 1)"
                )
            removed[table] = int(duplicated)
            logger.warning(f"{pipeline.pipeline_name}: removed {duplicated} row(s) of {table} loaded twice by a resumed load")
    return removed
