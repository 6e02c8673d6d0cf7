"""The daily partitions of the time-based incremental assets (raw loads and the models on them).

A partition is a day of source changes (Salesforce SystemModstamp, HubSpot updatedAt, event
times). The current day is a partition too (``end_offset=1``): the hourly run materializes it.
Backfills run a whole date range in one run (``BackfillPolicy.single_run``).
"""

from __future__ import annotations

import datetime as dt
import os

import dagster as dg

START_ENV = "RELAY_PARTITIONS_START"
DEFAULT_START = "2022-01-01"


def daily_partitions() -> dg.DailyPartitionsDefinition:
    start = os.environ.get(START_ENV) or DEFAULT_START
    try:
        dt.date.fromisoformat(start)
    except ValueError:
        raise ValueError(f"{START_ENV} must be a date like 2022-01-01, got {start!r}") from None
    return dg.DailyPartitionsDefinition(start_date=start, end_offset=1)


def is_current(window: dg.TimeWindow, now: dt.datetime | None = None) -> bool:
    """Whether a partition window reaches the present: such a run loads everything new since the
    last run (dlt's own incremental state); a window wholly in the past re-loads just that window."""
    now = now or dt.datetime.now(dt.UTC)
    return window.end > now
