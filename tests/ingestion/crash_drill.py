"""Crash drills: the ingestion CLI with a progress collector that SIGKILLs the process mid-step.

``RELAY_CRASH_AT=<step>:<n> python -m tests.ingestion.crash_drill run ...`` (``extract``,
``normalize`` or ``load``) runs ``python -m ingestion run ...`` and kills the process once the dlt
step has reported ``n`` units of progress (rows while extracting and normalizing, completed jobs
while loading). dlt reports progress from inside each step, so the kill lands mid-step, with files
half written or half loaded, like a power cut. The product never reads the variable: the drill
hands the CLI its collector from outside.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
from typing import Any

from dlt.common.runtime.collector import Collector

CRASH_ENV = "RELAY_CRASH_AT"
CRASH_STEPS = ("extract", "normalize", "load")
# Counters that measure work started or scheduled, not work done.
_NOT_PROGRESS = {"Resources", "Files"}


def parse_crash_at(value: str) -> tuple[str, int]:
    step, _, count = value.partition(":")
    if step not in CRASH_STEPS or not count.isdigit():
        raise ValueError(f"{CRASH_ENV} must look like 'extract:100' (steps: {', '.join(CRASH_STEPS)})")
    return step, int(count)


class CrashDrillCollector(Collector):
    """Forwards progress to ``inner`` and SIGKILLs the process ``after`` units into ``step``."""

    def __init__(self, inner: Collector, step: str, after: int) -> None:
        self.inner = inner
        self.crash_step = step
        self.after = after
        self.step = None
        self._done = 0

    def update(
        self,
        name: str,
        inc: int = 1,
        total: int | None = None,
        inc_total: int | None = None,
        message: str | None = None,
        label: str | None = None,
    ) -> None:
        self.inner.update(name, inc, total, inc_total, message, label)
        if self._in_crash_step() and name not in _NOT_PROGRESS and not label and inc > 0:
            self._done += inc
            if self._done >= self.after:
                sys.stderr.write(f"crash drill: SIGKILL during {self.step} after {self._done} units\n")
                sys.stderr.flush()
                # A crash takes the normalize worker processes down too (orphaned, they would
                # keep running and hold the caller's pipes open).
                for child in multiprocessing.active_children():
                    os.kill(child.pid, signal.SIGKILL)
                os.kill(os.getpid(), signal.SIGKILL)

    def _in_crash_step(self) -> bool:
        return bool(self.step) and self.step.lower().startswith(self.crash_step)

    def _start(self, step: str) -> None:
        self._done = 0
        self.inner(step)
        self.inner._start(step)

    def _stop(self) -> None:
        self.inner._stop()

    def __getattr__(self, name: str) -> Any:
        if name == "inner":  # not set yet (copy/unpickle): no recursion through __getattr__
            raise AttributeError(name)
        return getattr(self.inner, name)


def main(argv: list[str] | None = None) -> int:
    from ingestion.__main__ import main as ingestion_main
    from ingestion.pipelines.progress import make_progress

    step, after = parse_crash_at(os.environ.get(CRASH_ENV, ""))
    return ingestion_main(argv, progress=CrashDrillCollector(make_progress(False), step, after))


if __name__ == "__main__":
    sys.exit(main())
