"""Benchmark of the whole pipeline at several scales: each stage's wall time, rows per second and
peak memory, beside floors measured in the same run, the growth from one scale to the next, and
the goals. Not a test: run it by hand (or `make benchmark`).

    uv run python -m tests.benchmarks.bench_pipeline [--scales 10000,100000,1000000] [--out results.json] [--work-dir DIR]

At each scale (people in the generated dataset):

| stage | how it runs | rows |
|---|---|---|
| generate | `python -m ingestion.sandbox generate`, a child process | records written |
| sandbox paging (floor) | `ingestion.sandbox.client` pages every object of both APIs, plain `requests` | records received |
| ingest, full | `python -m ingestion run --sandbox URL`, a child process: both dlt pipelines, DuckDB | rows loaded (raw tables, child tables included) |
| CTAS copy (floor) | `CREATE TABLE AS` of every raw table once, in the same DuckDB | raw rows copied |
| dbt build, full | `dbt build --full-refresh`, a child process | raw rows processed (rows built are in the JSON) |
| checks | `expectations.validation.validate`, raw then mart suites, in this process | rows of the validated tables |
| publish | `orchestration.publication.publish_duckdb`, in this process | rows published |
| end to end, full | the `relay_pipeline` Dagster job in this process (`orchestration.runs.run_pipeline`, the demo's code path) into a fresh warehouse | raw rows loaded |
| end to end, incremental | the same job again after `mutate` changed 1 % of the records | raw rows the incremental loads wrote |

The sandbox server runs in its own process (`python -m ingestion.sandbox serve`) for the whole
scale; it is warmed (every file loaded) before anything is timed. Peak memory is the summed RSS of
this process and all its children (sandbox server, dlt, dbt), sampled every 0.1 s; the sandbox
server's share is also given on its own, since it stands in for the vendors' APIs.

Goals, printed, not asserted: ingest >= 50,000 rows/s; full dbt build <= 3 x its CTAS floor;
incremental end to end <= 10 % of full end to end; peak memory <= 4 GiB at 1,000,000 people; time
growing about linearly with people (x10 people, about x10 time).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import dagster as dg
import dlt
import duckdb
import psutil

# Imported before anything is timed: Dagster's process has these loaded when a run starts, so the
# first scale's in-process stages (checks, publish, end to end) must not pay for the imports.
from expectations.suites import MART_TABLES, RAW_TABLES
from expectations.validation import validate
from ingestion.sandbox.client import SandboxClient, page_hubspot, page_salesforce
from ingestion.sandbox.server import DEFAULT_HUBSPOT_TOKEN, DEFAULT_SF_CLIENT_ID, DEFAULT_SF_CLIENT_SECRET
from orchestration.definitions import build_definitions
from orchestration.defs.quality import suite_settings
from orchestration.publication import publish_duckdb
from orchestration.runs import run_pipeline
from tests.benchmarks.bench_dbt import _dbt_build, _dbt_execution_seconds, _env, _floor, _raw_tables, _run
from tests.benchmarks.sandbox_process import sandbox_server, warm
from tests.benchmarks.tree_memory import TreeMemory

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SCALES = (10_000, 100_000, 1_000_000)
GIB = 1024**3
BUILT_SCHEMAS = ("staging", "intermediate", "marts", "seeds", "snapshots")

INGEST_ROWS_PER_SECOND = 50_000
BUILD_OVER_FLOOR = 3.0
INCREMENTAL_SHARE = 0.10
PEAK_MEMORY = 4 * GIB
PEAK_MEMORY_SCALE = 1_000_000


@dataclass
class Stage:
    name: str
    seconds: float
    rows: int | None
    rows_meaning: str
    how: str
    peak_rss_bytes: int
    peak_rss_without_sandbox_bytes: int
    sandbox_rss_bytes: int
    rss_at_start_bytes: int
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def rows_per_second(self) -> float | None:
        return self.rows / self.seconds if self.rows is not None and self.seconds > 0 else None

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "rows_per_second": self.rows_per_second}


class Scale:
    """The stages of one scale, measured in order; the sandbox server's pid once it runs."""

    def __init__(self, people: int):
        self.people = people
        self.stages: dict[str, Stage] = {}
        self.server_pid: int | None = None
        self.notes: dict[str, Any] = {}

    @contextmanager
    def measure(self, name: str, how: str, rows_meaning: str) -> Iterator[dict[str, Any]]:
        """Times the block and samples the process tree; the block fills ``out["rows"]`` and may
        add ``out["detail"]``."""
        out: dict[str, Any] = {"rows": None, "detail": {}}
        print(f"  {name} ...", end="", flush=True)
        with TreeMemory(apart_pid=self.server_pid) as memory:
            started = time.perf_counter()
            yield out
            seconds = time.perf_counter() - started
        stage = Stage(
            name, seconds, out["rows"], rows_meaning, how, memory.peak_total, memory.peak_without_apart,
            memory.peak_apart, memory.start_total, out["detail"],
        )
        self.stages[name] = stage
        rate = f", {stage.rows_per_second:,.0f} rows/s" if stage.rows_per_second else ""
        print(f" {seconds:.1f} s{rate}, peak {memory.peak_total / GIB:.2f} GiB", flush=True)


# --- environment ----------------------------------------------------------------------------------


@contextmanager
def process_env(env: dict[str, str]) -> Iterator[None]:
    """Run in-process stages with exactly ``env`` (what the child processes get), then restore."""
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


@contextmanager
def output_to(log: Path) -> Iterator[None]:
    """Send this process's stdout and stderr (and its children's) to ``log`` for the block: dbt,
    dlt and GX narrate every step, which would bury the benchmark's own lines."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    with log.open("a") as sink:
        os.dup2(sink.fileno(), 1)
        os.dup2(sink.fileno(), 2)
        try:
            yield
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            for fd in saved:
                os.close(fd)


def stage_env(work: Path) -> dict[str, str]:
    return {
        **_env(work / "relay.duckdb", work),
        "RELAY_PUBLISHED_PATH": str(work / "published" / "relay.duckdb"),
        "RELAY_QUALITY_DIR": str(work / "quality"),
        # The dataset has a fixed "now" (--as-of) so runs are comparable: only freshness would notice.
        "RELAY_FRESHNESS_HOURS": str(24 * 365 * 50),
        # A failed step is reported, not retried: retries would hide in the timings.
        "RELAY_STEP_RETRIES": "0",
    }


def sandbox_env(env: dict[str, str], url: str) -> dict[str, str]:
    return {
        **env,
        "SOURCES__SALESFORCE__BASE_URL": url,
        "SOURCES__HUBSPOT__BASE_URL": url,
        "SOURCES__SALESFORCE__CLIENT_ID": DEFAULT_SF_CLIENT_ID,
        "SOURCES__SALESFORCE__CLIENT_SECRET": DEFAULT_SF_CLIENT_SECRET,
        "SOURCES__HUBSPOT__ACCESS_TOKEN": DEFAULT_HUBSPOT_TOKEN,
    }


# --- warehouse queries ----------------------------------------------------------------------------


def raw_rows(warehouse: Path) -> int:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return sum(rows for *_, rows in _raw_tables(con))


def built_rows(warehouse: Path) -> int:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = con.execute(
            "select schema_name, table_name from duckdb_tables() where schema_name in"
            f" {BUILT_SCHEMAS}"
        ).fetchall()
        return sum(con.execute(f'select count(*) from "{s}"."{t}"').fetchone()[0] for s, t in tables)


def last_load_id(warehouse: Path) -> str | None:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        ids = [
            con.execute(f"select max(load_id) from {schema}._dlt_loads").fetchone()[0]
            for schema in ("raw_salesforce", "raw_hubspot")
        ]
    ids = [i for i in ids if i is not None]
    return max(ids, key=float) if ids else None


def rows_loaded_after(warehouse: Path, load_id: str | None) -> int:
    """Rows of the raw tables written by loads newer than ``load_id`` (merged updates included;
    child tables carry no load id and are left out)."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = con.execute(
            "select table_schema, table_name from information_schema.columns"
            " where table_schema in ('raw_salesforce', 'raw_hubspot') and column_name = '_dlt_load_id'"
            " and not starts_with(table_name, '_dlt')"
        ).fetchall()
        mark = float(load_id) if load_id else 0.0
        return sum(
            con.execute(f'select count(*) from {s}."{t}" where _dlt_load_id::double > ?', [mark]).fetchone()[0]
            for s, t in tables
        )


def dlt_step_seconds(pipelines_dir: Path) -> dict[str, dict[str, float]]:
    """Seconds of each dlt step (extract, normalize, load) of each pipeline's last run, from the
    traces dlt keeps in its working dirs: where the ingest time goes."""
    found: dict[str, dict[str, float]] = {}
    for trace_dir in sorted(pipelines_dir.glob("*/relay_*")):
        try:
            trace = dlt.attach(trace_dir.name, pipelines_dir=str(trace_dir.parent)).last_trace
        except Exception as error:  # a missing trace costs a detail, not the benchmark
            found[trace_dir.name] = {"error": str(error)}
            continue
        if trace is not None:
            found[trace_dir.name] = {
                step.step: round((step.finished_at - step.started_at).total_seconds(), 2)
                for step in trace.steps if step.finished_at and step.step != "run"
            }
    return found


# --- stages ---------------------------------------------------------------------------------------


def run_checks(run_id: str) -> dict[str, Any]:
    rows, outcome, failed = 0, {}, []
    for name, tables in (("raw_quality", RAW_TABLES), ("marts_quality", MART_TABLES)):
        result = validate(tables, run_id=run_id, settings=suite_settings(), checkpoint_name=name)
        rows += sum(t.row_count or 0 for t in result.tables)
        outcome[name] = {t.table: t.status for t in result.tables}
        failed += [
            {"table": t.table, "expectation": o.expectation, "severity": o.severity,
             "unexpected_count": o.unexpected_count, "observed": o.observed, "sample": o.sample, "error": o.error}
            for t in result.tables for o in t.failed
        ]
    return {"rows": rows, "statuses": outcome, "failed_expectations": failed}


def run_job(definitions, instance) -> tuple[Any, dict[str, Any]]:
    """The ``relay_pipeline`` job for the current day, as the demo runs it: per-step seconds, and
    what failed. A blocking check that fails stops the run before publishing, as it should; the
    run is still timed and flagged, so the figures of what ran are kept."""
    run = run_pipeline(definitions, instance, log_level="WARNING")
    started: dict[str, float] = {}
    steps: dict[str, float] = {}
    kinds = {dg.DagsterEventType.STEP_START, dg.DagsterEventType.STEP_SUCCESS, dg.DagsterEventType.STEP_FAILURE}
    for entry in instance.all_logs(run.result.run_id, of_type=kinds):
        if entry.dagster_event.event_type == dg.DagsterEventType.STEP_START:
            started[entry.step_key] = entry.timestamp
        elif entry.step_key in started:
            steps[entry.step_key] = round(entry.timestamp - started[entry.step_key], 2)
    detail: dict[str, Any] = {"step_seconds": steps, "success": run.success}
    if not run.success:
        detail["failures"] = run.failures
        detail["failed_checks"] = [
            {"check": f"{c.asset_key.to_user_string()}:{c.check_name}", "description": c.description,
             "metadata": {k: str(getattr(v, "value", v))[:2000] for k, v in (c.metadata or {}).items()}}
            for c in run.failed_checks
        ]
        if not run.failed_checks:
            # A step failed outright (not a blocking check): nothing after it ran; no figure to keep.
            raise RuntimeError(f"relay_pipeline failed: {'; '.join(run.failures) or 'no step failure recorded'}")
    return run, detail


def bench_scale(scale: Scale, scale_dir: Path, seed: int, as_of: str, fraction: float) -> None:
    """Measures every stage at ``scale.people`` into ``scale``; a failure leaves the stages before it."""
    people = scale.people
    data_dir = scale_dir / "sandbox"
    stages_dir, e2e_dir = scale_dir / "stages", scale_dir / "e2e"
    for folder in (stages_dir, e2e_dir):
        folder.mkdir(parents=True, exist_ok=True)
    env = stage_env(stages_dir)
    warehouse = stages_dir / "relay.duckdb"

    with scale.measure("generate", "python -m ingestion.sandbox generate (child process)", "records written") as out:
        _run([sys.executable, "-m", "ingestion.sandbox", "generate", "--people", str(people), "--seed", str(seed),
              "--out", str(data_dir), "--as-of", as_of], env, "generate")
        counts = json.loads((data_dir / "manifest.json").read_text())["counts"]
        out["rows"] = sum(counts.values())
        out["detail"] = {"jsonl_bytes": sum(p.stat().st_size for p in data_dir.glob("*/*.jsonl"))}

    with sandbox_server(data_dir, stages_dir / "sandbox_server.log") as (url, pid):
        scale.server_pid = pid
        started = time.perf_counter()
        warm(url)
        scale.notes["sandbox_warm_up_seconds"] = round(time.perf_counter() - started, 2)
        print(f"  sandbox server {url} (pid {pid}), files loaded in {scale.notes['sandbox_warm_up_seconds']} s",
              flush=True)

        with scale.measure("sandbox paging (floor)", "ingestion.sandbox.client page_salesforce + page_hubspot,"
                           " plain requests, in this process", "records received") as out:
            client = SandboxClient(url, timeout=1800)
            try:
                served = {**page_salesforce(client), **page_hubspot(client)}
            finally:
                client.close()
            out["rows"] = sum(served.values())

        with scale.measure("ingest, full", "python -m ingestion run --sandbox URL (child process, both dlt"
                           " pipelines, DuckDB)", "rows loaded (raw tables incl. child tables)") as out:
            _run([sys.executable, "-m", "ingestion", "run", "--sandbox", url, "--no-progress"], env, "ingest_full")
            out["rows"] = raw_rows(warehouse)
            out["detail"] = {"dlt_step_seconds": dlt_step_seconds(Path(env["RELAY_PIPELINES_DIR"]))}

        with scale.measure("CTAS copy (floor)", "CREATE TABLE AS of every raw table once, same DuckDB, in this"
                           " process", "raw rows copied") as out:
            floor_seconds, tables, rows = _floor(warehouse)
            out["rows"] = rows
            out["detail"] = {"tables": tables, "ctas_seconds": floor_seconds}

        with scale.measure("dbt build, full", "dbt build --full-refresh (child process)",
                           "raw rows processed") as out:
            _dbt_build(env, "dbt_build_full", "--full-refresh")
            out["rows"] = raw_rows(warehouse)
            out["detail"] = {"rows_built": built_rows(warehouse),
                             "dbt_own_timer_seconds": _dbt_execution_seconds("dbt_build_full", env)}

        with process_env(env):
            with scale.measure("checks", "expectations.validation.validate: raw then mart suites, in this process",
                               "rows in the validated tables") as out, output_to(stages_dir / "checks.log"):
                result = run_checks("benchmark")
                out["rows"] = result["rows"]
                out["detail"] = {"statuses": result["statuses"], "failed_expectations": result["failed_expectations"]}
            for failed in result["failed_expectations"]:
                print(f"    check failed: {failed['table']}: {failed['expectation']} [{failed['severity']}]"
                      f" unexpected {failed['unexpected_count']}, sample {str(failed['sample'])[:200]}", flush=True)

            with scale.measure("publish", "orchestration.publication.publish_duckdb, in this process",
                               "rows published") as out:
                publication = publish_duckdb(warehouse, Path(env["RELAY_PUBLISHED_PATH"]), run_id="benchmark")
                out["rows"] = sum(publication.tables.values())

        e2e_env = sandbox_env(stage_env(e2e_dir), url)
        e2e_warehouse = e2e_dir / "relay.duckdb"
        with process_env(e2e_env):
            started = time.perf_counter()
            with output_to(e2e_dir / "definitions.log"):
                definitions = build_definitions()
            scale.notes["definitions_load_seconds"] = round(time.perf_counter() - started, 2)
            with dg.DagsterInstance.ephemeral() as instance:
                with scale.measure("end to end, full", "relay_pipeline Dagster job in this process"
                                   " (orchestration.runs.run_pipeline), fresh warehouse", "raw rows loaded") as out:
                    with output_to(e2e_dir / "run_full.log"):
                        _, out["detail"] = run_job(definitions, instance)
                    out["rows"] = raw_rows(e2e_warehouse)

                mark = last_load_id(e2e_warehouse)
                started = time.perf_counter()
                _run([sys.executable, "-m", "ingestion.sandbox", "mutate", "--dir", str(data_dir), "--fraction",
                      str(fraction), "--seed", str(seed + 1)], env, "mutate")
                scale.notes["mutate_seconds"] = round(time.perf_counter() - started, 2)
                manifest = json.loads((data_dir / "manifest.json").read_text())
                changes = json.loads((data_dir / "mutations" / f"{manifest['mutations']}.json").read_text())
                changed = sum(len(ids) for o in changes["objects"].values() for ids in o.values())
                scale.notes["records_changed"] = changed
                print(f"  mutate {fraction:.0%}: {changed:,} records changed in {scale.notes['mutate_seconds']} s",
                      flush=True)
                # The server reloads the rewritten files on their first request: warm it again, or
                # the incremental run would be timed with the stand-in's start-up (~30 s at 1M).
                started = time.perf_counter()
                warm(url)
                scale.notes["sandbox_rewarm_seconds"] = round(time.perf_counter() - started, 2)

                with scale.measure("end to end, incremental", "the same job again after mutate",
                                   "raw rows written by the incremental loads") as out:
                    with output_to(e2e_dir / "run_incremental.log"):
                        _, out["detail"] = run_job(definitions, instance)
                    out["rows"] = rows_loaded_after(e2e_warehouse, mark)
                    out["detail"]["records_changed_in_sandbox"] = changed


# --- goals, growth and output ---------------------------------------------------------------------


def _verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("met" if ok else "MISSED")


def goals(scale: Scale) -> list[dict[str, Any]]:
    s = scale.stages
    found = []
    if "ingest, full" in s:
        rate = s["ingest, full"].rows_per_second or 0
        found.append({"goal": "ingest >= 50,000 rows/s", "value": round(rate), "text": f"{rate:,.0f} rows/s",
                      "met": rate >= INGEST_ROWS_PER_SECOND})
    if "dbt build, full" in s and "CTAS copy (floor)" in s:
        ratio = s["dbt build, full"].seconds / s["CTAS copy (floor)"].seconds
        found.append({"goal": "full dbt build <= 3 x CTAS floor", "value": round(ratio, 2), "text": f"{ratio:.1f} x",
                      "met": ratio <= BUILD_OVER_FLOOR})
    if "end to end, incremental" in s and "end to end, full" in s:
        share = s["end to end, incremental"].seconds / s["end to end, full"].seconds
        found.append({"goal": "incremental end to end <= 10 % of full", "value": round(share, 4),
                      "text": f"{share:.1%}", "met": share <= INCREMENTAL_SHARE})
    if s:
        peak = max(stage.peak_rss_bytes for stage in s.values())
        without = max(stage.peak_rss_without_sandbox_bytes for stage in s.values())
        found.append({"goal": "peak memory <= 4 GiB at 1M people", "value": peak,
                      "text": f"{peak / GIB:.2f} GiB ({without / GIB:.2f} without the sandbox server)",
                      "met": peak <= PEAK_MEMORY if scale.people >= PEAK_MEMORY_SCALE else None,
                      "note": None if scale.people >= PEAK_MEMORY_SCALE else "judged at 1,000,000 people"})
    return found


def growth(scales: list[Scale]) -> list[dict[str, Any]]:
    """Time ratio of each stage between consecutive scales (goal: about the ratio of people)."""
    rows = []
    for small, large in zip(scales, scales[1:]):
        ratios = {
            name: round(large.stages[name].seconds / stage.seconds, 2)
            for name, stage in small.stages.items()
            if name in large.stages and stage.seconds > 0
        }
        rows.append({"from": small.people, "to": large.people, "people_ratio": large.people / small.people,
                     "time_ratios": ratios})
    return rows


def print_scale(scale: Scale) -> None:
    print()
    print(f"{scale.people:,} people")
    print(f"  {'stage':<26}{'seconds':>9}{'rows':>13}{'rows/s':>11}{'peak GiB':>10}{'w/o sandbox':>13}")
    stopped = []
    for stage in scale.stages.values():
        rows = f"{stage.rows:,}" if stage.rows is not None else "-"
        rate = f"{stage.rows_per_second:,.0f}" if stage.rows_per_second else "-"
        name = stage.name
        if stage.detail.get("success") is False:
            name += " *"
            stopped += [c["check"] for c in stage.detail.get("failed_checks", [])]
        print(f"  {name:<26}{stage.seconds:>9.1f}{rows:>13}{rate:>11}"
              f"{stage.peak_rss_bytes / GIB:>10.2f}{stage.peak_rss_without_sandbox_bytes / GIB:>13.2f}")
    if stopped:
        print(f"  * stopped before publishing by failed blocking check(s): {', '.join(sorted(set(stopped)))}")
    for failed in scale.stages.get("checks", Stage("", 0, None, "", "", 0, 0, 0, 0)).detail.get("failed_expectations", []):
        print(f"  checks: {failed['table']}: {failed['expectation']} [{failed['severity']}] failed,"
              f" {failed['unexpected_count']} unexpected")
    for goal in goals(scale):
        note = f"  ({goal['note']})" if goal.get("note") else ""
        print(f"  goal {goal['goal']:<40} {goal['text']:<48} {_verdict(goal['met'])}{note}")


def print_growth(rows: list[dict[str, Any]]) -> None:
    for row in rows:
        print()
        print(f"growth {row['from']:,} -> {row['to']:,} people (x{row['people_ratio']:g}; goal: time about"
              f" x{row['people_ratio']:g})")
        for name, ratio in row["time_ratios"].items():
            print(f"  {name:<26} x{ratio:.1f}")


def keep_logs(scale_dir: Path, destination: Path) -> None:
    """The stages' own logs (ingestion, dbt, Dagster run, sandbox server), beside the JSON."""
    logs = [p for folder in ("stages", "e2e") for p in (scale_dir / folder).glob("*.log")]
    if logs:
        destination.mkdir(parents=True, exist_ok=True)
        for log in logs:
            shutil.copy2(log, destination / f"{log.parent.name}_{log.name}")


def _git_commit() -> str | None:
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=REPO_ROOT, capture_output=True, text=True, check=True)
        dirty = subprocess.run(["git", "status", "--porcelain"], cwd=REPO_ROOT, capture_output=True, text=True)
    except (OSError, subprocess.CalledProcessError):
        return None
    return commit.stdout.strip() + ("+uncommitted" if dirty.stdout.strip() else "")


def report(args: argparse.Namespace, scales: list[Scale], errors: dict[int, str], started_at: str) -> dict[str, Any]:
    return {
        "benchmark": "bench_pipeline",
        "started_at": started_at,
        "finished_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "git_commit": _git_commit(),
        "host": {"cpus": psutil.cpu_count(), "memory_bytes": psutil.virtual_memory().total,
                 "python": platform.python_version(), "load_average": os.getloadavg()},
        "settings": {"scales": args.scales, "seed": args.seed, "as_of": args.as_of, "fraction": args.fraction},
        "goals": {"ingest_rows_per_second": INGEST_ROWS_PER_SECOND, "build_over_floor": BUILD_OVER_FLOOR,
                  "incremental_share": INCREMENTAL_SHARE, "peak_memory_bytes": PEAK_MEMORY,
                  "peak_memory_scale": PEAK_MEMORY_SCALE},
        "scales": [
            {"people": s.people, "stages": {n: st.to_json() for n, st in s.stages.items()}, "notes": s.notes,
             "goals": goals(s), "error": errors.get(s.people)}
            for s in scales
        ],
        "growth": growth([s for s in scales if s.people not in errors]),
    }


# --- command line ---------------------------------------------------------------------------------


def _scales(text: str) -> list[int]:
    try:
        scales = [int(part.strip().replace("_", "")) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"--scales takes whole numbers separated by commas, got {text!r}") from None
    if not scales or any(s < 100 or s > 1_000_000 for s in scales):
        raise argparse.ArgumentTypeError("each scale must be between 100 and 1,000,000 people")
    return sorted(set(scales))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scales", type=_scales, default=list(DEFAULT_SCALES),
                        help="people per scale, comma-separated (default 10000,100000,1000000)")
    parser.add_argument("--out", type=Path, default=None,
                        help="JSON results (default data/benchmarks/pipeline-<UTC time>.json)")
    parser.add_argument("--work-dir", type=Path, default=None,
                        help="where datasets and warehouses go (default: a temporary dir under /tmp)")
    parser.add_argument("--keep", action="store_true", help="keep each scale's datasets and warehouses")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--as-of", default="2025-06-30", help="the dataset's fixed 'now', so runs compare")
    parser.add_argument("--fraction", type=float, default=0.01, help="share of records mutate changes")
    args = parser.parse_args(argv)
    if not 0 < args.fraction < 1:
        parser.error("--fraction must be between 0 and 1")

    started_at = dt.datetime.now(dt.UTC)
    out = args.out or REPO_ROOT / "data" / "benchmarks" / f"pipeline-{started_at:%Y%m%dT%H%M%SZ}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    logs_dir = out.with_name(f"{out.stem}-logs")
    work_dir = args.work_dir or Path(tempfile.mkdtemp(prefix="relay-bench-pipeline-"))
    work_dir.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    print(f"bench_pipeline: scales {', '.join(f'{s:,}' for s in args.scales)} people; work dir {work_dir};"
          f" {psutil.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}", flush=True)

    scales: list[Scale] = []
    errors: dict[int, str] = {}
    try:
        for people in args.scales:
            print(f"\n== {people:,} people ==", flush=True)
            scale_dir = work_dir / f"people_{people}"
            shutil.rmtree(scale_dir, ignore_errors=True)
            scale = Scale(people)
            try:
                bench_scale(scale, scale_dir, args.seed, args.as_of, args.fraction)
            except (Exception, SystemExit) as error:  # record it, go on with the next scale
                print(f"\n  failed: {error}", flush=True)
                errors[people] = str(error)
            finally:
                keep_logs(scale_dir, logs_dir / f"people_{people}")
                if not args.keep:
                    shutil.rmtree(scale_dir, ignore_errors=True)
            scales.append(scale)
            # Written after every scale, so a long run that fails later keeps what it measured.
            out.write_text(json.dumps(report(args, scales, errors, started_at.isoformat(timespec="seconds")), indent=2))
    finally:
        if args.work_dir is None and not args.keep:
            shutil.rmtree(work_dir, ignore_errors=True)

    print("\n" + "=" * 100)
    print("Relay pipeline benchmark. rows: generate = records written; sandbox paging = records received;"
          " ingest = rows loaded;\n  CTAS and dbt build = raw rows processed; checks = rows validated;"
          " publish = rows published; end to end = raw rows loaded.\n  peak GiB = RSS of this process and"
          " its children (sandbox server, dlt, dbt); w/o sandbox = without the sandbox server.")
    for scale in scales:
        if scale.people in errors:
            print(f"\n{scale.people:,} people: FAILED: {errors[scale.people]}")
        if scale.stages:
            print_scale(scale)
    print_growth(growth([s for s in scales if s.people not in errors]))
    print(f"\nJSON: {out}\nlogs: {logs_dir}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
