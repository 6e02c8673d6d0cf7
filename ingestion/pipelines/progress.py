"""Progress reporting for long loads.

Progress goes to stderr: dlt's tqdm bars on a terminal, dlt's log collector (a line every few
seconds with counts, rates, memory and CPU) otherwise. A caller may hand ``run`` any dlt
``Collector`` instead (the crash drills in tests/ingestion/crash_drill.py wrap this one).
"""

from __future__ import annotations

import sys

from dlt.common.runtime.collector import NULL_COLLECTOR, Collector, LogCollector, TqdmCollector


def make_progress(enabled: bool = True, log_period: float = 5.0) -> Collector:
    """A progress collector for the current terminal, or none."""
    if not enabled:
        return NULL_COLLECTOR
    if sys.stderr.isatty():
        return TqdmCollector(file=sys.stderr)
    return LogCollector(log_period=log_period, logger=sys.stderr)
