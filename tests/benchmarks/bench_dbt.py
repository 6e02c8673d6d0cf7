"""Benchmark of the dbt project on DuckDB: prints the full `dbt build` time, the incremental
`dbt build` time after 1 % of the records changed, the floor (copying every raw table once with
CREATE TABLE AS in the same database) and the dbt process tree's peak memory. Not a test: run it
by hand.

    uv run python -m tests.benchmarks.bench_dbt --people 1000000

The raw layer is loaded the way a user loads it: a generated sandbox dataset, served over HTTP,
loaded by `python -m ingestion run` (timed and printed, but not part of the dbt goals). Goals:
incremental <= 10 % of full, full <= 3 x floor, peak memory <= 4 GiB.
"""

from __future__ import annotations

import argparse
import json
import re
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

from ingestion.sandbox.generator import generate, mutate
from ingestion.sandbox.server import SandboxServer
from tests.benchmarks.tree_memory import TreeMemory

REPO_ROOT = Path(__file__).resolve().parents[2]
DBT_PROJECT = REPO_ROOT / "dbt_project"
BIN = Path(sys.executable).parent
RAW_SCHEMAS = ("raw_salesforce", "raw_hubspot")
GIB = 1024**3


def _env(duckdb_path: Path, workdir: Path) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("RELAY_", "SOURCES__", "DBT_"))}
    return {
        **clean,
        "RELAY_TARGET": "duckdb",
        "RELAY_DUCKDB_PATH": str(duckdb_path),
        "RELAY_PIPELINES_DIR": str(workdir / "dlt_pipelines"),
        "RUNTIME__DLTHUB_TELEMETRY": "false",
        "DO_NOT_TRACK": "1",
    }


def _run(command: list[str], env: dict[str, str], label: str) -> tuple[float, int]:
    """Run a command to completion; returns (seconds, peak bytes of its process tree)."""
    log = Path(env["RELAY_PIPELINES_DIR"]).parent / f"{label}.log"
    started = time.perf_counter()
    with log.open("w") as out:
        process = subprocess.Popen(command, env=env, cwd=REPO_ROOT, stdout=out, stderr=subprocess.STDOUT)
        with TreeMemory(process.pid) as memory:
            code = process.wait()
    seconds = time.perf_counter() - started
    if code != 0:
        tail = "\n".join(log.read_text().splitlines()[-40:])
        raise SystemExit(f"{label} failed (exit {code}); last lines of {log}:\n{tail}")
    return seconds, memory.peak_total


def _load(data_dir: Path, env: dict[str, str], label: str) -> float:
    with SandboxServer(data_dir) as server:
        seconds, _ = _run(
            [sys.executable, "-m", "ingestion", "run", "--sandbox", server.url, "--no-progress"], env, label
        )
    return seconds


def _dbt_execution_seconds(label: str, env: dict[str, str]) -> float | None:
    """dbt's own "Finished running ... (12.34s)": the build without process start-up and parsing."""
    log = Path(env["RELAY_PIPELINES_DIR"]).parent / f"{label}.log"
    found = re.findall(r"Finished running .* \(([0-9.]+)s\)", log.read_text())
    return float(found[-1]) if found else None


def _dbt_build(env: dict[str, str], label: str, *extra: str) -> tuple[float, int]:
    return _run(
        [str(BIN / "dbt"), "build", *extra, "--project-dir", str(DBT_PROJECT), "--profiles-dir", str(DBT_PROJECT),
         "--target-path", str(Path(env["RELAY_PIPELINES_DIR"]).parent / "dbt_target"),
         "--log-path", str(Path(env["RELAY_PIPELINES_DIR"]).parent / "dbt_logs")],
        env, label,
    )


def _raw_tables(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, int]]:
    """(schema, table, rows) of every raw data table (dlt's own bookkeeping tables left out)."""
    names = con.execute(
        "select schema_name, table_name from duckdb_tables()"
        f" where schema_name in {RAW_SCHEMAS} and not starts_with(table_name, '_dlt')"
    ).fetchall()
    return [(s, t, con.execute(f'select count(*) from {s}."{t}"').fetchone()[0]) for s, t in names]


def _floor(duckdb_path: Path) -> tuple[float, int, int]:
    """Seconds to CREATE TABLE AS every raw table once, with the tables and rows copied."""
    with duckdb.connect(str(duckdb_path)) as con:
        con.execute("set preserve_insertion_order = false")
        tables = _raw_tables(con)
        con.execute("create schema if not exists bench_floor")
        started = time.perf_counter()
        for schema, table, _ in tables:
            con.execute(f'create or replace table bench_floor."{schema}__{table}" as select * from {schema}."{table}"')
        seconds = time.perf_counter() - started
        con.execute("drop schema bench_floor cascade")
    return seconds, len(tables), sum(rows for *_, rows in tables)


def _verdict(ok: bool) -> str:
    return "met" if ok else "NOT met"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--as-of", default="2025-06-30")
    parser.add_argument("--fraction", type=float, default=0.01, help="share of records changed before the incremental run")
    parser.add_argument("--workdir", type=Path, default=None, help="keep everything here (default: a temp dir, removed)")
    parser.add_argument(
        "--reuse", action="store_true",
        help="reuse the dataset and loaded raw layer already in --workdir (from an earlier run) instead of"
        " generating and loading them again",
    )
    args = parser.parse_args(argv)
    if args.people < 100:
        parser.error("--people must be at least 100")
    if args.reuse and args.workdir is None:
        parser.error("--reuse needs --workdir")

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="relay_bench_dbt_"))
    workdir.mkdir(parents=True, exist_ok=True)
    data_dir, duckdb_path = workdir / "sandbox", workdir / "relay.duckdb"
    env = _env(duckdb_path, workdir)
    print(f"bench_dbt: {args.people:,} people, seed {args.seed}, work dir {workdir}", flush=True)
    try:
        if args.reuse and (data_dir / "manifest.json").is_file() and duckdb_path.is_file():
            people = json.loads((data_dir / "manifest.json").read_text()).get("people")
            print(f"  reusing the dataset ({people:,} people) and raw layer in {workdir}", flush=True)
        else:
            started = time.perf_counter()
            generate(data_dir, args.people, args.seed, as_of=args.as_of)
            print(f"  generate dataset           {time.perf_counter() - started:8.1f} s", flush=True)
            load_seconds = _load(data_dir, env, "load_full")
            print(f"  load raw layer (HTTP + dlt) {load_seconds:7.1f} s", flush=True)

        floor_seconds, tables, rows = _floor(duckdb_path)
        print(f"  floor: CTAS {tables} raw tables {floor_seconds:7.1f} s   ({rows:,} rows)", flush=True)

        # --full-refresh: incremental models rebuilt from scratch, whatever ran here before.
        full_seconds, full_peak = _dbt_build(env, "dbt_build_full", "--full-refresh")
        print(f"  dbt build, full            {full_seconds:8.1f} s   peak {full_peak / GIB:.2f} GiB"
              f"   (dbt's own timer, without start-up and parsing: {_dbt_execution_seconds('dbt_build_full', env)} s)", flush=True)

        changes = mutate(data_dir, args.fraction, args.seed + 1)
        changed = sum(sum(counts.values()) for counts in changes["objects"].values())
        reload_seconds = _load(data_dir, env, "load_incremental")
        print(f"  mutate {args.fraction:.0%} ({changed:,} records) + incremental load {reload_seconds:.1f} s", flush=True)

        incremental_seconds, incremental_peak = _dbt_build(env, "dbt_build_incremental")
        print(f"  dbt build, incremental     {incremental_seconds:8.1f} s   peak {incremental_peak / GIB:.2f} GiB"
              f"   (dbt's own timer: {_dbt_execution_seconds('dbt_build_incremental', env)} s)", flush=True)

        peak = max(full_peak, incremental_peak)
        print()
        print(f"incremental / full  = {incremental_seconds / full_seconds:6.1%}   goal <= 10 %   {_verdict(incremental_seconds <= 0.10 * full_seconds)}")
        print(f"full / floor        = {full_seconds / floor_seconds:6.1f}x   goal <= 3x     {_verdict(full_seconds <= 3 * floor_seconds)}")
        print(f"peak memory (dbt)   = {peak / GIB:6.2f} GiB  goal <= 4 GiB  {_verdict(peak <= 4 * GIB)}")
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
