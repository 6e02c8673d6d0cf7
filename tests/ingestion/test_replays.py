"""A resumed load can stage a job's rows twice; for merge roots with nested tables dlt then inserts
both copies. ``remove_replayed_rows`` keeps one copy of each; nothing else is touched."""

from __future__ import annotations

import pytest

from ingestion.pipelines import make_pipeline, remove_replayed_rows
from ingestion.pipelines.replays import merge_roots_with_nested_tables

pytestmark = pytest.mark.slow


def test_rows_staged_twice_are_kept_once(warehouse, sandbox_server, make_loader):
    make_loader(sandbox_server, warehouse).load(sources=("hubspot",))
    pipeline = make_pipeline("hubspot")
    # owners (teams); marketing emails and forms have nested lists too (to.contactLists, fieldGroups)
    assert "owners" in merge_roots_with_nested_tables(pipeline)
    before = warehouse.snapshot("raw_hubspot")
    # what a replayed COPY leaves behind: identical rows, same _dlt_id
    with pipeline.sql_client() as client:
        client.execute_sql("INSERT INTO raw_hubspot.owners SELECT * FROM raw_hubspot.owners LIMIT 2")
    assert warehouse.count("raw_hubspot", "owners") == len(before["owners"]) + 2

    assert remove_replayed_rows(pipeline) == {"owners": 2}
    assert warehouse.snapshot("raw_hubspot") == before
    assert remove_replayed_rows(pipeline) == {}
