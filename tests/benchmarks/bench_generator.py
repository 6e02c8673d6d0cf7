"""Benchmark of the sandbox data generator (and optionally mutate): prints seconds, records per
second, bytes written and peak memory. Not a test: run it by hand.

    uv run python -m tests.benchmarks.bench_generator --people 1000000
"""

from __future__ import annotations

import argparse
import resource
import shutil
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

import psutil

from ingestion.sandbox.generator import generate, mutate


class PeakMemory:
    """Samples this process's resident memory, since ru_maxrss can't be reset between phases."""

    def __init__(self, interval: float = 0.05):
        self.interval, self.peak = interval, 0
        self._stop = threading.Event()
        self._process = psutil.Process()

    def __enter__(self):
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self):
        while not self._stop.is_set():
            self.peak = max(self.peak, self._process.memory_info().rss)
            self._stop.wait(self.interval)

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._process.memory_info().rss)


def _bytes(directory: Path) -> int:
    return sum(p.stat().st_size for p in directory.rglob("*") if p.is_file())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--as-of", default="2024-06-30")
    parser.add_argument("--mutate", type=float, default=0.0, help="also time a mutate of this fraction")
    parser.add_argument("--out", type=Path, default=None, help="keep the dataset here (default: a temp dir)")
    args = parser.parse_args(argv)

    out = args.out or Path(tempfile.mkdtemp(prefix="relay-bench-generator-"))
    try:
        with PeakMemory() as memory:
            started = time.perf_counter()
            counts = generate(out, args.people, args.seed, date.fromisoformat(args.as_of))
            seconds = time.perf_counter() - started
        records = sum(counts.values())
        size = _bytes(out)
        print(f"people               {args.people:>14,}")
        print(f"cpus                 {psutil.cpu_count():>14}")
        print(f"records              {records:>14,}  ({records / args.people:.1f} per person)")
        for key, n in sorted(counts.items(), key=lambda kv: -kv[1]):
            print(f"  {key:<36} {n:>12,}")
        print(f"generate seconds     {seconds:>14.1f}")
        print(f"records per second   {records / seconds:>14,.0f}")
        print(f"output bytes         {size:>14,}  ({size / 2**20:,.0f} MiB)")
        print(f"peak memory (RSS)    {memory.peak / 2**20:>14,.0f} MiB")
        if args.mutate:
            with PeakMemory() as memory:
                started = time.perf_counter()
                result = mutate(out, args.mutate, args.seed)
                seconds = time.perf_counter() - started
            changed = sum(sum(c.values()) for c in result["objects"].values())
            print(f"mutate {args.mutate:<6} seconds {seconds:>14.1f}  ({changed:,} records changed)")
            print(f"mutate peak memory   {memory.peak / 2**20:>14,.0f} MiB")
        maxrss_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(f"process max RSS      {maxrss_kib / 1024:>14,.0f} MiB")
    finally:
        if args.out is None:
            shutil.rmtree(out, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
