"""The Dagster definitions load, and the asset graph is one lineage from API objects to marts."""

from __future__ import annotations

import dagster as dg
import pytest

from expectations.suites import MART_TABLES, RAW_TABLES
from ingestion.salesforce.settings import SOBJECTS
from orchestration.defs.dbt import MART_NAMES
from orchestration.defs.publish import PUBLISHED_KEY


@pytest.fixture(scope="module")
def definitions() -> dg.Definitions:
    from orchestration.definitions import build_definitions

    defs = build_definitions()
    dg.Definitions.validate_loadable(defs)
    return defs


def test_importing_the_definitions_does_no_work(tmp_path) -> None:
    """No dbt parse, no environment read at import: in a fresh interpreter, importing the
    definitions leaves the dbt project unprepared."""
    import subprocess
    import sys

    code = (
        "import orchestration.definitions, orchestration.defs.dbt.project as p;"
        "print(p.dbt_project.cache_info().currsize)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=tmp_path)
    assert out.stdout.strip() == "0"


def test_raw_tables_feed_the_dbt_sources(definitions: dg.Definitions) -> None:
    graph = definitions.resolve_asset_graph()
    raw = {dg.AssetKey(["raw_salesforce", table]) for table in SOBJECTS.values()}
    assert raw <= set(graph.get_all_asset_keys())
    for key in raw:
        node = graph.get(key)
        assert not node.parent_keys, f"{key} is a load, not derived"
        assert node.child_keys, f"no dbt model reads {key.to_user_string()}: lineage is broken"
    staging = graph.get(dg.AssetKey(["staging", "stg_salesforce__leads"]))
    assert dg.AssetKey(["raw_salesforce", "lead"]) in staging.parent_keys


def test_every_mart_is_downstream_of_an_api_object_and_upstream_of_the_publication(definitions: dg.Definitions) -> None:
    graph = definitions.resolve_asset_graph()
    published_parents = graph.get(PUBLISHED_KEY).parent_keys
    for name in MART_NAMES:
        key = dg.AssetKey(["marts", name])
        assert key in published_parents
        if name == "dim_date":  # a generated calendar, fed by no API
            continue
        upstream = _ancestors(graph, key)
        assert any(k.path[0] in ("raw_salesforce", "raw_hubspot") for k in upstream), name


def _ancestors(graph, key: dg.AssetKey) -> set[dg.AssetKey]:
    seen: set[dg.AssetKey] = set()
    todo = [key]
    while todo:
        for parent in graph.get(todo.pop()).parent_keys:
            if parent not in seen:
                seen.add(parent)
                todo.append(parent)
    return seen


def test_every_suite_is_a_blocking_check_on_its_table(definitions: dg.Definitions) -> None:
    graph = definitions.resolve_asset_graph()
    keys = {(k.asset_key, k.name) for k in graph.asset_check_keys}
    for rules in RAW_TABLES + MART_TABLES:
        assert (dg.AssetKey([rules.schema, rules.table]), "great_expectations") in keys, rules.name
    # dbt's tests are checks too.
    assert any(name.startswith(("unique_", "not_null_")) for _, name in keys)
    specs = [
        spec
        for checks_def in definitions.asset_checks or []
        for spec in checks_def.check_specs
        if spec.name == "great_expectations"
    ]
    assert len(specs) == len(RAW_TABLES + MART_TABLES) and all(spec.blocking for spec in specs)


def test_jobs_and_schedules(definitions: dg.Definitions) -> None:
    assert definitions.resolve_job_def("relay_pipeline").partitions_def is not None
    definitions.resolve_job_def("quality_sweep")
    hourly = definitions.get_schedule_def("hourly_incremental")
    nightly = definitions.get_schedule_def("nightly_quality_sweep")
    assert hourly.cron_schedule == "0 * * * *" and nightly.cron_schedule == "0 2 * * *"


def test_the_hourly_schedule_runs_the_current_day_with_run_retries(definitions: dg.Definitions) -> None:
    import datetime as dt

    schedule = definitions.get_schedule_def("hourly_incremental")
    context = dg.build_schedule_context(
        scheduled_execution_time=dt.datetime(2025, 3, 4, 10, tzinfo=dt.UTC),
        repository_def=definitions.get_repository_def(),
    )
    (request,) = schedule.evaluate_tick(context).run_requests
    assert request.partition_key == "2025-03-04"
    assert request.tags["dagster/max_retries"] == "2"
