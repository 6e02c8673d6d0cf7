"""Relay's main command: the whole pipeline through Dagster, on the sandbox.

    uv run python -m orchestration demo [--people 10000] [--seed 42] [--dir data/sandbox]

Generates a sandbox dataset if there is none, serves it on a free local port, runs the
``relay_pipeline`` job in this process (dlt loads, dbt build with its tests, Great Expectations
checks, BI-safe publication), generates the dbt docs, then prints a funnel summary from the
published warehouse and where everything is. ``run`` does the same against the sources configured
in the environment (a real Salesforce org and HubSpot portal), without the sandbox.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from ingestion.pipelines.targets import REPO_ROOT


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m orchestration", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="generate and serve a sandbox dataset, run the whole pipeline on it")
    demo.add_argument("--people", type=int, default=10_000, help="people in a newly generated dataset")
    demo.add_argument("--seed", type=int, default=42)
    demo.add_argument("--dir", type=Path, default=Path("data/sandbox"), help="sandbox data directory")
    sub.add_parser("run", help="run the whole pipeline against the sources configured in the environment")
    return parser


def _say(message: str) -> None:
    print(f"[relay {time.strftime('%H:%M:%S')}] {message}", flush=True)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")
    if args.command == "run":
        return _run_pipeline()
    data_dir = args.dir if args.dir.is_absolute() else REPO_ROOT / args.dir
    from ingestion.sandbox.server import (
        DEFAULT_HUBSPOT_TOKEN,
        DEFAULT_SF_CLIENT_ID,
        DEFAULT_SF_CLIENT_SECRET,
        SandboxServer,
    )

    if not (data_dir / "manifest.json").exists():
        from ingestion.sandbox.generator import generate

        _say(f"generating a sandbox dataset of {args.people:,} people (seed {args.seed}) in {data_dir}")
        try:
            generate(data_dir, args.people, args.seed)
        except ValueError as error:  # out-of-range people, unusable directory, ...
            _say(f"cannot generate the dataset: {error}")
            return 2
    else:
        _say(f"using the sandbox dataset in {data_dir}")
    with SandboxServer(data_dir) as server:
        _say(f"sandbox Salesforce + HubSpot APIs serving at {server.url}")
        os.environ["SOURCES__SALESFORCE__BASE_URL"] = server.url
        os.environ["SOURCES__HUBSPOT__BASE_URL"] = server.url
        os.environ.setdefault("SOURCES__SALESFORCE__CLIENT_ID", DEFAULT_SF_CLIENT_ID)
        os.environ.setdefault("SOURCES__SALESFORCE__CLIENT_SECRET", DEFAULT_SF_CLIENT_SECRET)
        os.environ.setdefault("SOURCES__HUBSPOT__ACCESS_TOKEN", DEFAULT_HUBSPOT_TOKEN)
        return _run_pipeline()


def _run_pipeline() -> int:
    import dagster as dg

    from expectations.validation import data_docs_index
    from orchestration.definitions import build_definitions
    from orchestration.docs import generate_dbt_docs
    from orchestration.runs import run_pipeline

    started = time.monotonic()
    _say("loading the Dagster definitions (parses the dbt project when it changed)")
    try:
        definitions = build_definitions()
    except Exception as error:  # a configuration mistake: say what, not where in Dagster
        _say(f"cannot load the pipeline: {error}")
        return 2
    instance = dg.DagsterInstance.get() if os.environ.get("DAGSTER_HOME") else dg.DagsterInstance.ephemeral()
    _say("running relay_pipeline: dlt loads -> raw checks -> dbt build -> mart checks -> publish")
    run = run_pipeline(definitions, instance, log_level="INFO")
    print(flush=True)
    if not run.success:
        _say(f"the run failed after {time.monotonic() - started:.0f}s; the last good publication is unchanged")
        for failure in run.failures:
            print(f"  step {failure}")
        for check in run.failed_checks:
            print(f"  check {check.asset_key.to_user_string()}:{check.check_name} [{check.severity.value}] {check.description or ''}")
        if run.quality_report:
            print(f"  data-quality report: {run.quality_report}")
        return 1
    _say(f"pipeline finished in {time.monotonic() - started:.0f}s; generating the dbt docs")
    docs = generate_dbt_docs()
    print()
    print(_summary())
    print()
    print("Where things are")
    print(f"  warehouse (pipeline's)   {_location(published=False)}")
    print(f"  published for BI         {_location(published=True)}")
    print(f"  dbt docs                 {docs}")
    print(f"  data-quality report      {run.quality_report}")
    print(f"  GX Data Docs             {data_docs_index()}")
    print("  Dagster UI               uv run dagster dev   (then http://127.0.0.1:3000)")
    return 0


def _location(published: bool) -> str:
    from ingestion.pipelines.targets import duckdb_path, target_name
    from orchestration.publication import published_path, published_pg_schema

    if target_name() == "duckdb":
        return str(published_path() if published else duckdb_path())
    schema = published_pg_schema() if published else "marts"
    return f"postgres {os.environ.get('RELAY_PG_HOST', '127.0.0.1')}:{os.environ.get('RELAY_PG_PORT', '5432')}/{os.environ.get('RELAY_PG_DATABASE', 'relay')} schema {schema}"


def _summary() -> str:
    from ingestion.pipelines.targets import target_name
    from orchestration.publication import published_path, published_pg_schema
    from orchestration.summary import funnel_summary_duckdb, funnel_summary_postgres

    if target_name() == "duckdb":
        return funnel_summary_duckdb(published_path())
    from orchestration.defs.publish import pg_connection

    return funnel_summary_postgres(pg_connection, published_pg_schema())


if __name__ == "__main__":
    sys.exit(main())
