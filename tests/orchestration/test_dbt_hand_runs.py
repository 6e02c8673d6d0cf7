"""dbt run by hand (the README's command) and dbt run by the pipeline share one project: neither
may leave state that breaks the other."""

from __future__ import annotations

import subprocess
import sys

import dagster as dg
import pytest

from ingestion.pipelines.targets import REPO_ROOT

pytestmark = pytest.mark.slow


def _hand_dbt(command: str, target_path, env) -> None:
    # From the repository root with a relative project dir, as the README shows it.
    subprocess.run(
        [sys.executable, "-m", "dbt.cli.main", command, "--project-dir", "dbt_project",
         "--profiles-dir", "dbt_project", "--target-path", str(target_path)],
        cwd=REPO_ROOT, env=env, check=True, capture_output=True, text=True,
    )


def test_hand_run_then_pipeline_then_hand_run(tmp_path, monkeypatch) -> None:
    import os

    hand_target = tmp_path / "hand_target"
    monkeypatch.setenv("RELAY_TARGET", "duckdb")
    monkeypatch.setenv("RELAY_DUCKDB_PATH", str(tmp_path / "relay.duckdb"))
    monkeypatch.setenv("RELAY_STEP_RETRIES", "0")
    # Where a hand run leaves dbt's state is where dagster-dbt looks for it (DBT_TARGET_PATH,
    # default dbt_project/target): pointing both at a folder of the test's own keeps the
    # repository's target/ out of it.
    monkeypatch.setenv("DBT_TARGET_PATH", str(hand_target))
    _hand_dbt("seed", hand_target, dict(os.environ))

    from orchestration.definitions import build_definitions

    defs = build_definitions()
    graph = defs.resolve_asset_graph()
    seeds = {key for key in graph.get_all_asset_keys() if key.path[0] == "seeds"}
    dbt_assets = [a for a in defs.assets if isinstance(a, dg.AssetsDefinition) and a.op.name == "relay_dbt"]
    result = dg.materialize(dbt_assets, resources=defs.resources, selection=list(seeds),
                            partition_key="2024-06-01", raise_on_error=False)
    materialized = {event.asset_key for event in result.get_asset_materialization_events()}
    assert seeds <= materialized, sorted(k.to_user_string() for k in seeds - materialized)

    _hand_dbt("seed", hand_target, dict(os.environ))
