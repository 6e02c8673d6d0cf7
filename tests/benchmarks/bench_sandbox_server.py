"""Benchmark: records per second the sandbox server pages out to a plain HTTP client, per API,
and the server's peak memory.

    uv run python -m tests.benchmarks.bench_sandbox_server --people 100000
    uv run python -m tests.benchmarks.bench_sandbox_server --dir /path/to/existing/dataset

The server runs in its own process (``python -m ingestion.sandbox serve``), as it does for a loader,
so client and server do not share an interpreter; its peak resident memory is read from
/proc/<pid>/status (VmHWM) at the end. The client is ``requests`` plus the stdlib JSON decoder.
Pass 1 is cold (the server loads each file on first use), pass 2 is warm.
Goal: at least 20,000 records/second.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from ingestion.sandbox.client import SandboxClient
from tests.benchmarks.sandbox_process import SandboxStartError, sandbox_server



def _peak_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _salesforce(client: SandboxClient) -> list[tuple[str, int, float]]:
    rows = []
    for sobject in client.sf_objects():
        started = time.perf_counter()
        fields = client.sf_fields(sobject)
        count = sum(1 for _ in client.soql(f"SELECT {', '.join(fields)} FROM {sobject}", include_deleted=True))
        rows.append((f"salesforce/{sobject}", count, time.perf_counter() - started))
    return rows


def _hubspot(client: SandboxClient) -> list[tuple[str, int, float]]:
    rows = []

    def timed(name, iterator_factories):
        started = time.perf_counter()
        count = sum(sum(1 for _ in make()) for make in iterator_factories)
        rows.append((f"hubspot/{name}", count, time.perf_counter() - started))

    for name in ("contacts", "companies"):
        timed(name, [lambda n=name, a=a: client.crm_objects(n, archived=a, limit=100) for a in (False, True)])
    for name, path, limit in (("owners", "/crm/v3/owners", 500), ("campaigns", "/marketing/v3/campaigns", 100),
                              ("marketing_emails", "/marketing/v3/emails", 100), ("forms", "/marketing/v3/forms", 100)):
        timed(name, [lambda p=path, n=limit, a=a: client.hs_list(p, {"limit": n, "archived": a})
                     for a in ("false", "true")])
    timed("email_events", [lambda: client.email_events(limit=1000)])
    form_ids = [f["id"] for a in ("false", "true") for f in client.hs_list("/marketing/v3/forms", {"limit": 100,
                                                                                                  "archived": a})]
    timed("form_submissions", [lambda f=f: client.form_submissions(f, limit=50) for f in form_ids])
    return rows


def _report(title: str, rows: list[tuple[str, int, float]]) -> tuple[int, float]:
    total = sum(r[1] for r in rows)
    seconds = sum(r[2] for r in rows)
    print(f"  {title}: {total:,} records in {seconds:.1f}s = {total / seconds:,.0f} records/s")
    for name, count, elapsed in sorted(rows, key=lambda r: -r[1])[:4]:
        print(f"      {name:<36} {count:>10,} records {elapsed:7.1f}s {count / max(elapsed, 1e-9):>10,.0f}/s")
    return total, seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--people", type=int, help="generate a dataset of this many people first")
    source.add_argument("--dir", type=Path, help="an existing dataset")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--passes", type=int, default=2, help="1 = cold only, 2 = cold then warm")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="relay-bench-sandbox-") as scratch:
        data_dir = args.dir
        if data_dir is None:
            from ingestion.sandbox.generator import generate

            data_dir = Path(scratch) / "data"
            started = time.perf_counter()
            generate(data_dir, args.people, args.seed)
            print(f"generated {args.people:,} people in {time.perf_counter() - started:.1f}s")
        if not data_dir.is_dir():
            print(f"error: --dir {data_dir} is not a directory", file=sys.stderr)
            return 2
        size = sum(p.stat().st_size for p in data_dir.glob("*/*.jsonl"))
        print(f"dataset {data_dir}: {size / 2**20:,.0f} MiB of JSONL")
        try:
            with sandbox_server(data_dir) as (url, server_pid):
                client = SandboxClient(url, timeout=600)
                for number in range(1, args.passes + 1):
                    print(f"pass {number} ({'cold: files load on first use' if number == 1 else 'warm'}):")
                    sf_total, sf_seconds = _report("Salesforce", _salesforce(client))
                    hs_total, hs_seconds = _report("HubSpot", _hubspot(client))
                    both = (sf_total + hs_total) / (sf_seconds + hs_seconds)
                    print(f"  both APIs: {sf_total + hs_total:,} records, {both:,.0f} records/s")
                print(f"server peak memory (VmHWM): {_peak_rss_mib(server_pid):,.0f} MiB")
        except SandboxStartError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
