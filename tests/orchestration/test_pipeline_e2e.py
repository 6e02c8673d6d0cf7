"""End to end through Dagster, in-process: the sandbox served over HTTP, dlt, dbt, the checks and
the publication, on a real DuckDB warehouse.

The tests share one environment and run in order (one xdist group): a first full run, a second run
with a BI session open on the publication, a backfill of a few past days into a fresh warehouse,
and a run fed bad records that a blocking check must stop.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from expectations.suites import MART_TABLES, RAW_TABLES
from ingestion.sandbox.generator import mutate
from orchestration.defs.dbt import MART_NAMES
from orchestration.defs.publish import PUBLISHED_KEY
from orchestration.runs import run_pipeline
from tests.orchestration.pipeline_env import PipelineEnv, pipeline_env, read_jsonl, write_jsonl

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("orchestration_e2e")]

READER = Path(__file__).with_name("published_reader.py")


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PipelineEnv]:
    with pipeline_env(tmp_path_factory.mktemp("pipeline")) as environment:
        yield environment


def _published(path: Path) -> dict:
    with duckdb.connect(str(path), read_only=True) as con:
        tables = {
            name: con.execute(f"select count(*) from marts.{name}").fetchone()[0]
            for (name,) in con.execute(
                "select table_name from information_schema.tables where table_schema = 'marts'"
            ).fetchall()
        }
        (run_id,) = con.execute("select run_id from main._publication").fetchone()
    return {"run_id": run_id, "tables": tables}


def test_a_full_run_materializes_everything_passes_every_check_and_publishes(env: PipelineEnv) -> None:
    run = run_pipeline(env.definitions, env.instance)
    assert run.success, run.failures

    graph = env.definitions.resolve_asset_graph()
    assert set(run.materialized) == set(graph.materializable_asset_keys)
    evaluated = {(c.asset_key, c.check_name) for c in run.checks}
    assert evaluated == {(k.asset_key, k.name) for k in graph.asset_check_keys}
    assert run.failed_checks == []

    published = _published(env.published)
    assert published["run_id"] == run.result.run_id
    assert set(MART_NAMES) <= set(published["tables"])
    with duckdb.connect(str(env.warehouse), read_only=True) as con:
        for name in MART_NAMES:
            assert published["tables"][name] == con.execute(f"select count(*) from marts.{name}").fetchone()[0]
    assert published["tables"]["fct_funnel"] > 0 and published["tables"]["fct_opportunities"] > 0
    with pytest.raises(duckdb.Error):
        with duckdb.connect(str(env.published), read_only=True) as con:
            con.execute("create table marts.scribble as select 1")

    assert run.quality_report and Path(run.quality_report).exists()
    report = (env.quality / "report.md").read_text()
    assert "raw_salesforce.opportunity | passed" in report and "marts.fct_funnel | passed" in report
    assert (env.quality / "gx" / "uncommitted" / "data_docs" / "local_site" / "index.html").exists()


def test_a_bi_session_open_during_a_run_sees_one_whole_publication_and_no_errors(env: PipelineEnv, tmp_path: Path) -> None:
    before = _published(env.published)
    mutate(env.data, 0.05, seed=7)
    stop = tmp_path / "stop"
    readers = {
        mode: subprocess.Popen(
            [sys.executable, str(READER), mode, str(env.published), str(stop)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for mode in ("held", "fresh")
    }
    try:
        for reader in readers.values():
            assert json.loads(reader.stdout.readline()).get("ready")
        run = run_pipeline(env.definitions, env.instance)
        time.sleep(0.5)
    finally:
        stop.touch()
        outputs = {mode: reader.communicate(timeout=60) for mode, reader in readers.items()}
    assert run.success, run.failures
    after = _published(env.published)
    assert after["run_id"] == run.result.run_id != before["run_id"]
    assert after["tables"] != before["tables"], "the mutation should change the marts"

    publications = {
        pub["run_id"]: {t: pub["tables"][t] for t in ("dim_people", "fct_funnel", "fct_opportunities", "fct_attribution", "mart_funnel_kpis")}
        for pub in (before, after)
    }
    seen: dict[str, list[str]] = {}
    for mode, (stdout, stderr) in outputs.items():
        observations = [json.loads(line) for line in stdout.splitlines()[1:]]
        assert observations, stderr
        assert [o for o in observations if "error" in o] == []
        for o in observations:
            assert o["counts"] == publications[o["run_id"]], "a mix of two publications"
        seen[mode] = [o["run_id"] for o in observations]
    assert set(seen["held"]) == {before["run_id"]}, "a held session keeps the publication it opened"
    assert seen["fresh"][0] == before["run_id"] and seen["fresh"][-1] == after["run_id"]


def test_the_nightly_quality_sweep_runs_every_gx_check_and_rebuilds_nothing(env: PipelineEnv) -> None:
    result = env.definitions.resolve_job_def("quality_sweep").execute_in_process(instance=env.instance, raise_on_error=False)
    assert result.success
    evaluations = [
        e.event_specific_data for e in result.all_events if e.event_type == dg.DagsterEventType.ASSET_CHECK_EVALUATION
    ]
    assert len(evaluations) == len(RAW_TABLES) + len(MART_TABLES)
    assert all(e.passed and e.check_name == "great_expectations" for e in evaluations)
    assert [e for e in result.all_events if e.event_type == dg.DagsterEventType.ASSET_MATERIALIZATION] == []


def test_a_backfill_processes_exactly_the_days_of_its_range(env: PipelineEnv) -> None:
    leads = read_jsonl(env.data / "salesforce" / "Lead.jsonl")
    stamps = sorted(dt.datetime.strptime(r["SystemModstamp"], "%Y-%m-%dT%H:%M:%S.%f%z") for r in leads)
    first = stamps[len(stamps) // 2].date()
    days = [first + dt.timedelta(days=i) for i in range(3)]
    start = dt.datetime.combine(days[0], dt.time(), dt.UTC)
    end = start + dt.timedelta(days=3)
    expected = {
        r["Id"]
        for r in leads
        if start <= dt.datetime.strptime(r["SystemModstamp"], "%Y-%m-%dT%H:%M:%S.%f%z") < end
    }
    assert expected, "the range should hold some lead changes"

    raw = [k for k in env.definitions.resolve_asset_graph().materializable_asset_keys if k.path[0].startswith("raw_")]
    with dg.DagsterInstance.ephemeral() as instance:
        run = run_pipeline(
            env.definitions,
            instance,
            partition_range=(days[0].isoformat(), days[-1].isoformat()),
            asset_selection=raw,
        )
        assert run.success, run.failures
        keys = {d.isoformat() for d in days}
        for key in raw:
            assert instance.get_materialized_partitions(key) == keys, key
    # The backfill's load rewrote exactly the leads changed in the range (merge on the key).
    with duckdb.connect(str(env.warehouse), read_only=True) as con:
        loaded = {
            i
            for (i,) in con.execute(
                "select id from raw_salesforce.lead where _dlt_load_id = (select max(_dlt_load_id) from raw_salesforce.lead)"
            ).fetchall()
        }
    assert loaded == expected


def test_bad_records_stop_the_run_at_the_blocking_check_and_keep_the_last_publication(env: PipelineEnv) -> None:
    before = (env.published.stat().st_ino, env.published.read_bytes())
    path = env.data / "salesforce" / "Opportunity.jsonl"
    records = read_jsonl(path)
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.000+0000")
    # An opportunity without a stage would make the pipeline KPIs wrong: a blocking rule. (A stage
    # no seed maps only warns: tests/orchestration/test_gx_duckdb.py.)
    for record in records[:3]:
        record["StageName"] = None
        record["SystemModstamp"] = record["LastModifiedDate"] = now
    write_jsonl(path, records)

    run = run_pipeline(env.definitions, env.instance)

    assert not run.success
    (failed,) = [c for c in run.failed_checks if c.severity == dg.AssetCheckSeverity.ERROR]
    assert failed.asset_key == dg.AssetKey(["raw_salesforce", "opportunity"])
    failures = failed.metadata["failures"].data
    assert any(f["expectation"] == "expect_column_values_to_not_be_null(stage_name)" and f["unexpected_count"] == 3
               for f in failures), failures
    built = {k.path[0] for k in run.materialized}
    assert "raw_salesforce" in built
    assert not built & {"staging", "intermediate", "marts", "published"}
    assert PUBLISHED_KEY not in run.materialized
    assert (env.published.stat().st_ino, env.published.read_bytes()) == before

    report = (env.quality / "report.md").read_text()
    assert "raw_salesforce.opportunity | failed" in report
    assert "expect_column_values_to_not_be_null(stage_name) [critical], 3 unexpected" in report
