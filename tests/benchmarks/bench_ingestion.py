"""Benchmark: a full load of N people from the sandbox into DuckDB (rows/second), the time of the
incremental run after 1 % of records changed, and peak memory.

    uv run python -m tests.benchmarks.bench_ingestion --people 100000
    uv run python -m tests.benchmarks.bench_ingestion --dir /path/to/existing/dataset   # copied first
    uv run python -m tests.benchmarks.bench_ingestion --people 100000 --salesforce-api compare
    uv run python -m tests.benchmarks.bench_ingestion --people 100000 --custom-fields 500 --full-only

``--salesforce-api rest|bulk`` forces the Salesforce source's query path for the whole benchmark;
``compare`` instead runs two Salesforce-only full loads on the same data, REST then Bulk API 2.0,
each into a fresh warehouse, and prints rows/s for each. ``--custom-fields N`` generates the wide
profile; every full load also prints the megabytes of data files it read per second, which is how
a wide account compares with a narrow one (its rows are several times larger).

The sandbox server runs in its own process (a stand-in for the vendors' APIs); the loader runs as
the CLI (``python -m ingestion run``) in another, as a user runs it. Rows are counted in the
warehouse afterwards (every data table, nested ones included). Peak memory is the resident size of
the loader's process tree (loader + normalize workers), sampled every 0.1 s; the server's is
reported apart. Goal: at least 50,000 rows/s at 1,000,000 people on 2 cores.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

from tests.benchmarks.sandbox_process import SandboxStartError, sandbox_server, warm
from tests.benchmarks.tree_memory import TreeMemory

REPO = Path(__file__).resolve().parents[2]


def _rows(db: Path) -> dict[str, int]:
    with duckdb.connect(str(db), read_only=True) as con:
        tables = con.execute(
            "select table_schema, table_name from information_schema.tables"
            " where table_schema in ('raw_salesforce', 'raw_hubspot') and table_name not like '_dlt%'"
        ).fetchall()
        return {f"{s}.{t}": con.execute(f'select count(*) from "{s}"."{t}"').fetchone()[0] for s, t in tables}


def _load(url: str, env: dict[str, str], label: str, *args: str) -> tuple[float, int, str]:
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "ingestion", "run", "--sandbox", url, "--no-progress", *args],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    with TreeMemory(process.pid) as memory:
        stdout, stderr = process.communicate()
    seconds = time.perf_counter() - started
    if process.returncode != 0:
        raise SystemExit(f"{label} failed:\n{stderr[-3000:]}")
    return seconds, memory.peak_total, stdout


def _file_mib(data_dir: Path, systems: tuple[str, ...] = ("salesforce", "hubspot")) -> float:
    return sum(p.stat().st_size for system in systems for p in (data_dir / system).glob("*.jsonl")) / 2**20


def _compare_salesforce_paths(url: str, env: dict[str, str], work: Path, data_dir: Path) -> None:
    """Salesforce-only full loads, REST then Bulk API 2.0, on the same served data."""
    for api in ("rest", "bulk"):
        db, pipelines = work / f"relay-{api}.duckdb", work / f"pipelines-{api}"
        db.unlink(missing_ok=True)
        shutil.rmtree(pipelines, ignore_errors=True)
        run_env = {**env, "RELAY_DUCKDB_PATH": str(db), "RELAY_PIPELINES_DIR": str(pipelines),
                   "SOURCES__SALESFORCE__QUERY_API": api}
        seconds, peak, _ = _load(url, run_env, f"salesforce {api} load", "--source", "salesforce")
        total = sum(count for name, count in _rows(db).items() if name.startswith("raw_salesforce."))
        mib = _file_mib(data_dir, ("salesforce",))
        print(f"salesforce full load via {api:>4}: {total:,} rows in {seconds:.1f}s = {total / seconds:,.0f} rows/s,"
              f" {mib / seconds:,.1f} MiB of files/s; loader peak memory {peak / 2**20:,.0f} MiB")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--people", type=int, help="generate a dataset of this many people first")
    source.add_argument("--dir", type=Path, help="an existing dataset (copied: the benchmark mutates it)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--keep", type=Path, default=None, help="keep the warehouse and working dirs here")
    parser.add_argument("--salesforce-api", choices=("auto", "rest", "bulk", "compare"), default="auto",
                        help="force Salesforce's query path, or compare REST and Bulk on the same data")
    parser.add_argument("--custom-fields", type=int, default=0, help="the wide profile of a generated dataset")
    parser.add_argument("--full-only", action="store_true", help="no incremental run after the full load")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="relay-bench-ingestion-") as scratch:
        work = args.keep or Path(scratch)
        work.mkdir(parents=True, exist_ok=True)
        data_dir = work / "data"
        if args.dir:
            shutil.rmtree(data_dir, ignore_errors=True)
            shutil.copytree(args.dir, data_dir)
        else:
            from ingestion.sandbox.generator import generate

            started = time.perf_counter()
            generate(data_dir, args.people, args.seed, custom_fields=args.custom_fields)
            print(f"generated {args.people:,} people ({args.custom_fields} custom fields) in"
                  f" {time.perf_counter() - started:.1f}s: {_file_mib(data_dir):,.0f} MiB of files")
        db = work / "relay.duckdb"
        for stale in (db, work / "pipelines"):
            shutil.rmtree(stale, ignore_errors=True) if stale.is_dir() else stale.unlink(missing_ok=True)
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("RELAY_", "SOURCES__"))},
            "RELAY_TARGET": "duckdb",
            "RELAY_DUCKDB_PATH": str(db),
            "RELAY_PIPELINES_DIR": str(work / "pipelines"),
        }
        if args.salesforce_api in ("rest", "bulk"):
            env["SOURCES__SALESFORCE__QUERY_API"] = args.salesforce_api
        try:
            with sandbox_server(data_dir) as (url, server_pid):
                print(f"cores: {os.cpu_count()}, load average before: {os.getloadavg()[0]:.1f}")
                # every file loaded by the server first: its start-up is not the APIs' paging time
                warm(url)
                if args.salesforce_api == "compare":
                    _compare_salesforce_paths(url, env, work, data_dir)
                    return 0

                seconds, peak, _ = _load(url, env, "full load")
                rows = _rows(db)
                total = sum(rows.values())
                print(f"full load: {total:,} rows in {seconds:.1f}s = {total / seconds:,.0f} rows/s,"
                      f" {_file_mib(data_dir) / seconds:,.1f} MiB of files/s; loader peak memory {peak / 2**20:,.0f} MiB")
                for name, count in sorted(rows.items(), key=lambda kv: -kv[1])[:6]:
                    print(f"    {name:<45} {count:>10,}")
                if args.full_only:
                    return 0

                from ingestion.sandbox.generator import mutate

                summary = mutate(data_dir, 0.01, 7)
                changed = sum(sum(v.values()) for v in summary["objects"].values())
                warm(url)  # the rewritten files reloaded, likewise
                seconds, peak, stdout = _load(url, env, "incremental run")
                print(f"incremental run after mutate(1%): {changed:,} records changed, {seconds:.1f}s;"
                      f" loader peak memory {peak / 2**20:,.0f} MiB")
                for line in stdout.splitlines():
                    print(f"    {line}")
                print(f"load average after: {os.getloadavg()[0]:.1f}")
        except SandboxStartError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
