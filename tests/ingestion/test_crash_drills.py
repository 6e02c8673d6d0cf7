"""Crash drills: the loader, run as the CLI in a subprocess, SIGKILLs itself in the middle of
extract, normalize or load (``RELAY_CRASH_AT=<step>:<n>``, see tests/ingestion/crash_drill.py:
the hook fires from dlt's own progress reporting, so the kill lands inside the step, with files
half written or jobs half loaded). The next run must leave the warehouse equal to a clean run's:
0 rows lost, 0 duplicated."""

from __future__ import annotations

import signal

import pytest

from tests.ingestion.conftest import file_counts

pytestmark = pytest.mark.slow

DATASET = {"salesforce": "raw_salesforce", "hubspot": "raw_hubspot"}
KEYS = {"form_submissions": "conversion_id"}


@pytest.mark.parametrize("source", ["salesforce", "hubspot"])
@pytest.mark.parametrize("crash_at", ["extract:300", "normalize:1", "load:1"])
def test_killed_run_then_rerun_equals_clean_run(
    source, crash_at, warehouse, make_warehouse, sandbox_dataset, start_sandbox_server, make_loader
):
    server = start_sandbox_server(sandbox_dataset)
    loader = make_loader(server, warehouse)

    killed = loader.cli("--source", source, "--no-progress", env={"RELAY_CRASH_AT": crash_at},
                        module="tests.ingestion.crash_drill")
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]
    step = crash_at.split(":")[0]
    assert f"crash drill: SIGKILL during {step.capitalize()}" in killed.stderr
    # the kill left work in the middle: a package half normalized, or half loaded
    working_dir = next(loader.pipelines_dir.glob(f"*/relay_{source}"))
    extracted = list(working_dir.glob("normalize/extracted/*"))
    normalized = list(working_dir.glob("load/normalized/*"))
    if step == "normalize":
        assert extracted and list(working_dir.glob("load/new/*")), "killed before or after normalize"
    if step == "load":
        assert normalized and list(normalized[0].glob("completed_jobs/*")), "killed before or after load"
        assert list(normalized[0].glob("new_jobs/*")) or list(normalized[0].glob("started_jobs/*"))

    resumed = loader.cli("--source", source, "--no-progress")
    assert resumed.returncode == 0, resumed.stderr[-2000:]

    dataset = DATASET[source]
    expected = {table: n for (ds, table), n in file_counts(sandbox_dataset).items() if ds == dataset}
    for table, count in expected.items():
        key = KEYS.get(table, "id")
        total, distinct = warehouse.query(f'select count(*), count(distinct "{key}") from "{dataset}"."{table}"')[0]
        assert (total, distinct) == (count, count), table  # nothing lost, nothing duplicated

    reference = make_warehouse(warehouse.target)
    make_loader(start_sandbox_server(sandbox_dataset), reference, name="reference").load(sources=(source,))
    assert warehouse.snapshot(dataset) == reference.snapshot(dataset)
