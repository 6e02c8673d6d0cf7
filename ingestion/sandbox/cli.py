"""The sandbox subcommands behind ``python -m ingestion.sandbox`` (arguments parsed in __main__.py).

A user mistake (bad number, missing directory, bad fault file, port in use) is one line on stderr
and exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
import time
from pathlib import Path

USAGE_ERROR = 2


class UsageError(Exception):
    """A mistake in the command line or its inputs, reported as one line."""


def run(args: argparse.Namespace) -> int:
    commands = {"generate": _generate, "mutate": _mutate, "serve": _serve, "demo": _demo}
    try:
        return commands[args.command](args)
    except (UsageError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return USAGE_ERROR
    except OSError as error:
        detail = f"{error.strerror}: {error.filename}" if error.filename and error.strerror else str(error)
        print(f"error: {detail}", file=sys.stderr)
        return USAGE_ERROR
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def _generate(args: argparse.Namespace) -> int:
    from ingestion.sandbox.generator import generate

    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out} exists and is not a directory")
    started = time.perf_counter()
    counts = generate(out, args.people, args.seed, as_of=args.as_of, custom_fields=args.custom_fields,
                      progress=(lambda line: print(f"  {line}", flush=True)) if args.people >= 100_000 else None)
    elapsed = time.perf_counter() - started
    _print_counts_summary(counts)
    wide = f", {args.custom_fields:,} custom fields" if args.custom_fields else ""
    print(f"Generated {sum(counts.values()):,} records for {args.people:,} people (seed {args.seed}{wide}) "
          f"in {out} in {elapsed:.1f}s")
    return 0


def _mutate(args: argparse.Namespace) -> int:
    from ingestion.sandbox.generator import mutate

    data_dir = _existing_dataset(Path(args.dir))
    report = mutate(data_dir, args.fraction, args.seed)
    totals = {kind: sum(o[kind] for o in report["objects"].values()) for kind in ("updated", "inserted", "deleted")}
    print(f"Mutation {report['mutation']} of {data_dir}: {totals['updated']:,} updated, {totals['inserted']:,} "
          f"inserted, {totals['deleted']:,} deleted (as of {report['as_of']}); changed ids in {report['file']}")
    return 0


def _serve(args: argparse.Namespace) -> int:
    from ingestion.sandbox.server import SandboxServer

    data_dir = Path(args.dir)
    if not data_dir.is_dir():
        raise UsageError(f"--dir {data_dir} is not a directory (create one with `generate`)")
    faults = _read_faults(args.faults) if args.faults else None
    server = SandboxServer(data_dir, host=args.host, port=args.port, faults=faults, preload=True,
                           sf_client_id=args.sf_client_id, sf_client_secret=args.sf_client_secret,
                           hubspot_token=args.hubspot_token)
    try:
        server.start()
    except OSError as error:
        raise UsageError(f"cannot listen on {args.host}:{args.port}: {error.strerror or error}") from None
    stop = threading.Event()
    # The server runs in its thread; the main thread only waits for a signal, so shutdown is clean.
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    print(f"Sandbox serving {data_dir} on {server.url}", flush=True)
    if faults:
        print(f"Faults injected: {len(faults) if isinstance(faults, list) else len(faults.get('faults', []))} "
              f"(see GET {server.url}/__sandbox/faults)", flush=True)
    try:
        while not stop.wait(0.5):
            pass
    finally:
        server.stop()
    stats = server.stats()
    print(f"Sandbox stopped after {stats['requests']:,} requests, {stats['records']:,} records served", flush=True)
    return 0


def _demo(args: argparse.Namespace) -> int:
    from ingestion.sandbox.client import SandboxClient, page_hubspot, page_salesforce
    from ingestion.sandbox.generator import generate
    from ingestion.sandbox.server import SandboxServer

    data_dir = Path(args.dir)
    if data_dir.exists() and not data_dir.is_dir():
        raise UsageError(f"--dir {data_dir} exists and is not a directory")
    manifest = _manifest(data_dir)
    if manifest.get("people") == args.people and manifest.get("seed") == args.seed:
        print(f"Using the dataset in {data_dir} ({args.people:,} people, seed {args.seed})")
    else:
        print(f"Generating {args.people:,} people (seed {args.seed}) into {data_dir} ...", flush=True)
        started = time.perf_counter()
        generate(data_dir, args.people, args.seed)
        print(f"  done in {time.perf_counter() - started:.1f}s")
    in_files = _file_counts(data_dir)
    with SandboxServer(data_dir) as server:
        print(f"Sandbox serving {data_dir} on {server.url}; paging through both APIs with plain HTTP ...",
              flush=True)
        client = SandboxClient(server.url)
        started = time.perf_counter()
        served = {**page_salesforce(client), **page_hubspot(client)}
        elapsed = time.perf_counter() - started
        client.close()
        requests_made = server.stats()["requests"]
    width = max(len(k) for k in in_files | served)
    print(f"\n{'object':<{width}}  {'served':>10}  {'in file':>10}")
    mismatches = 0
    for key in sorted(in_files | served):
        got, expected = served.get(key), in_files.get(key)
        flag = "" if got == expected else "  MISMATCH"
        mismatches += bool(flag)
        print(f"{key:<{width}}  {_n(got):>10}  {_n(expected):>10}{flag}")
    total = sum(served.values())
    print(f"\n{total:,} records in {requests_made:,} requests, {elapsed:.1f}s "
          f"({total / max(elapsed, 1e-9):,.0f} records/s)")
    if mismatches:
        print(f"{mismatches} object(s) served a different number of records than their file holds", file=sys.stderr)
        return 1
    print("Every object was served in full by both APIs.")
    return 0


def _n(value: int | None) -> str:
    return "-" if value is None else f"{value:,}"


def _existing_dataset(data_dir: Path) -> Path:
    if not data_dir.is_dir():
        raise UsageError(f"--dir {data_dir} is not a directory (create one with `generate`)")
    if not (data_dir / "manifest.json").is_file():
        raise UsageError(f"{data_dir} has no manifest.json: is it a directory made by `generate`?")
    return data_dir


def _manifest(data_dir: Path) -> dict:
    try:
        return json.loads((data_dir / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _file_counts(data_dir: Path) -> dict[str, int]:
    counts = {}
    for api in ("salesforce", "hubspot"):
        for path in sorted((data_dir / api).glob("*.jsonl")):
            with path.open("rb") as handle:
                counts[f"{api}/{path.stem}"] = sum(1 for line in handle if line.strip())
    return counts


def _print_counts_summary(counts: dict[str, int]) -> None:
    by_api: dict[str, int] = {}
    for key, count in counts.items():
        by_api[key.split("/", 1)[0]] = by_api.get(key.split("/", 1)[0], 0) + count
    print("  " + ", ".join(f"{api}: {n:,} records in {sum(1 for k in counts if k.startswith(api + '/'))} objects"
                           for api, n in by_api.items()))


def _read_faults(path: Path) -> object:
    from ingestion.sandbox.server import parse_plan

    try:
        spec = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"--faults file not found: {path}") from None
    except json.JSONDecodeError as error:
        raise UsageError(f"--faults {path} is not valid JSON: {error}") from None
    try:
        parse_plan(spec)
    except ValueError as error:
        raise UsageError(f"--faults {path}: {error}") from None
    return spec
