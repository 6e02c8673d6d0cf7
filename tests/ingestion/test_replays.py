"""A resumed load can stage a job's rows twice; for merge roots with nested tables dlt then inserts
both copies. ``remove_replayed_rows`` keeps one copy of each; nothing else is touched."""

from __future__ import annotations

import dlt
import pytest

from ingestion.pipelines import make_pipeline, remove_replayed_rows
from ingestion.pipelines.replays import merge_roots_with_nested_tables

pytestmark = pytest.mark.slow


def test_rows_staged_twice_are_kept_once(warehouse, sandbox_server, make_loader):
    make_loader(sandbox_server, warehouse).load(sources=("hubspot",))
    pipeline = make_pipeline("hubspot")
    # HubSpot's nesting bound keeps nested values as JSON text: none of its tables has child tables
    assert merge_roots_with_nested_tables(pipeline) == []
    # a merge root with nested tables in the same dataset (a user's own resource) is still cleaned
    owners = [{"id": "1", "teams": [{"id": "7"}, {"id": "8"}]}, {"id": "2", "teams": [{"id": "9"}]},
              {"id": "3", "teams": [{"id": "7"}]}]
    pipeline.run(dlt.resource(owners, name="team_owners", primary_key="id", write_disposition="merge",
                              max_table_nesting=2))
    assert merge_roots_with_nested_tables(pipeline) == ["team_owners"]
    before = warehouse.snapshot("raw_hubspot")
    # what a replayed COPY leaves behind: identical rows, same _dlt_id
    with pipeline.sql_client() as client:
        client.execute_sql("INSERT INTO raw_hubspot.team_owners SELECT * FROM raw_hubspot.team_owners LIMIT 2")
    assert warehouse.count("raw_hubspot", "team_owners") == len(before["team_owners"]) + 2

    assert remove_replayed_rows(pipeline) == {"team_owners": 2}
    assert warehouse.snapshot("raw_hubspot") == before
    assert remove_replayed_rows(pipeline) == {}
