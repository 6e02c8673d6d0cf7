"""Command line for Relay's ingestion: ``python -m ingestion run [--source ...] [--target ...]``."""

from __future__ import annotations

import argparse
import logging
import os
import sys

from dlt.common.runtime.collector import Collector

from ingestion.pipelines import SOURCES, IngestionError, TargetConfigError, run
from ingestion.pipelines.targets import TARGETS


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m ingestion", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    run_cmd = sub.add_parser("run", help="load Salesforce and/or HubSpot into the warehouse")
    run_cmd.add_argument("--source", choices=(*SOURCES, "all"), default="all")
    run_cmd.add_argument(
        "--target", choices=TARGETS, default=None, help="default: RELAY_TARGET, else duckdb"
    )
    run_cmd.add_argument(
        "--full-refresh",
        action="store_true",
        help="drop the source's raw tables and incremental state, then load everything again",
    )
    run_cmd.add_argument("--no-progress", action="store_true", help="do not report progress on stderr")
    run_cmd.add_argument(
        "--sandbox",
        metavar="URL",
        default=None,
        help="load from a sandbox server at URL (e.g. http://127.0.0.1:8765) with the sandbox's"
        " default credentials, unless credentials are set in the environment",
    )
    return parser


def _use_sandbox(url: str) -> None:
    """Point both sources at a sandbox server; its well-known demo credentials are only defaults."""
    from ingestion.sandbox.server import DEFAULT_HUBSPOT_TOKEN, DEFAULT_SF_CLIENT_ID, DEFAULT_SF_CLIENT_SECRET

    os.environ["SOURCES__SALESFORCE__BASE_URL"] = url
    os.environ["SOURCES__HUBSPOT__BASE_URL"] = url
    os.environ.setdefault("SOURCES__SALESFORCE__CLIENT_ID", DEFAULT_SF_CLIENT_ID)
    os.environ.setdefault("SOURCES__SALESFORCE__CLIENT_SECRET", DEFAULT_SF_CLIENT_SECRET)
    os.environ.setdefault("SOURCES__HUBSPOT__ACCESS_TOKEN", DEFAULT_HUBSPOT_TOKEN)


def main(argv: list[str] | None = None, progress: Collector | None = None) -> int:
    """The CLI; ``progress`` replaces the stderr progress reporting (a test's crash drill)."""
    args = _parser().parse_args(argv)
    sources = SOURCES if args.source == "all" else (args.source,)
    if args.sandbox:
        _use_sandbox(args.sandbox.rstrip("/"))
    try:
        infos = run(sources, target=args.target, full_refresh=args.full_refresh, progress=progress or not args.no_progress)
    except IngestionError as exc:
        for message in exc.messages:
            print(f"error: {message}", file=sys.stderr)
        if os.environ.get("RELAY_DEBUG"):
            logging.getLogger("ingestion").exception("traceback (RELAY_DEBUG is set)")
        return 1
    except TargetConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        if os.environ.get("RELAY_DEBUG"):
            logging.getLogger("ingestion").exception("traceback (RELAY_DEBUG is set)")
        return 1
    except KeyboardInterrupt:
        print("interrupted; the next run resumes from the last committed state", file=sys.stderr)
        return 130
    for info in infos:
        print(_summary(info))
    return 0


def _summary(info) -> str:
    trace = info.pipeline.last_trace
    normalize_info = trace.last_normalize_info if trace else None
    counts = normalize_info.row_counts if normalize_info else {}
    rows = {table: n for table, n in counts.items() if not table.startswith("_dlt")}
    total = sum(rows.values())
    return (
        f"{info.pipeline.pipeline_name}: loaded {total} rows into {info.dataset_name}"
        f" ({', '.join(f'{t}={n}' for t, n in sorted(rows.items())) or 'no changes'})"
    )


if __name__ == "__main__":
    sys.exit(main())
