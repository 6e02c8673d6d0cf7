"""Timestamps in each API's wire format, from int64 epoch-millisecond columns."""

from __future__ import annotations

from datetime import UTC, date, datetime

import polars as pl

SALESFORCE_DATETIME = "%Y-%m-%dT%H:%M:%S%.3f+0000"
HUBSPOT_DATETIME = "%Y-%m-%dT%H:%M:%S%.3fZ"
DATE = "%Y-%m-%d"


def _formatted(ms: pl.Expr | pl.Series, fmt: str):
    if isinstance(ms, pl.Series):
        return pl.from_epoch(ms.cast(pl.Int64), time_unit="ms").dt.strftime(fmt)
    return pl.from_epoch(ms.cast(pl.Int64), time_unit="ms").dt.strftime(fmt)


def sf_datetime(ms):
    """Salesforce REST datetime, e.g. ``2024-03-05T14:22:01.000+0000`` (nulls stay null)."""
    return _formatted(ms, SALESFORCE_DATETIME)


def hs_datetime(ms):
    """HubSpot CRM v3 datetime, e.g. ``2024-03-05T14:22:01.000Z`` (nulls stay null)."""
    return _formatted(ms, HUBSPOT_DATETIME)


def iso_date(ms):
    """A calendar date, ``YYYY-MM-DD``, as both APIs send date fields."""
    return _formatted(ms, DATE)


def epoch_ms(moment: date | datetime) -> int:
    """Epoch milliseconds of a date (its UTC midnight) or a datetime (naive means UTC)."""
    if not isinstance(moment, datetime):
        moment = datetime(moment.year, moment.month, moment.day, tzinfo=UTC)
    elif moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1000)


def parse_any(text: str) -> int:
    """Epoch milliseconds from a Salesforce or HubSpot datetime string."""
    return epoch_ms(datetime.fromisoformat(text.replace("Z", "+00:00").replace("+0000", "+00:00")))
