"""Typed numpy columns of one field across a table, for vectorised filters and sorts.

A column's kind is inferred from its values: ``datetime`` and ``date`` become int64 epoch
milliseconds, numbers float64, booleans bool, anything else an object array of strings. Missing and
null values are marked in ``null`` (their slot in ``values`` holds a neutral filler).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np

DATETIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$")
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_FAST_SUFFIXES = ("+0000", "Z", "+00:00")
_NUMBER_RE = re.compile(r"^-?\d+(\.\d+)?$")


@dataclass(frozen=True)
class Column:
    kind: str  # datetime | date | number | bool | string
    values: np.ndarray
    null: np.ndarray

    def rank(self) -> np.ndarray:
        """Sortable integer or float keys (strings are replaced by their rank)."""
        if self.kind == "string":
            _, inverse = np.unique(self.values.astype(str), return_inverse=True)
            return inverse.astype(np.int64)
        return self.values


def parse_datetime_ms(text: str) -> int:
    """Epoch milliseconds of an ISO-8601 datetime in either API's format (no offset means UTC)."""
    text = text.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    elif len(text) > 5 and text[-5] in "+-" and text[-4:].isdigit():
        text = text[:-2] + ":" + text[-2:]
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1000)


def parse_date_ms(text: str) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp() * 1000)


def datetimes_to_ms(texts: list[str | None]) -> tuple[np.ndarray, np.ndarray]:
    """Vectorised parse of ISO datetimes; the common UTC formats take numpy's fast path."""
    null = np.fromiter((t is None for t in texts), dtype=bool, count=len(texts))
    present = [t for t in texts if t is not None]
    values = np.zeros(len(texts), dtype=np.int64)
    if not present:
        return values, null
    if all(t.endswith(_FAST_SUFFIXES) for t in present):
        trimmed = [t[:-5] if t.endswith("+0000") else t[:-6] if t.endswith("+00:00") else t[:-1] for t in present]
        try:
            parsed = np.array(trimmed, dtype="datetime64[ms]").astype(np.int64)
        except ValueError:
            parsed = np.array([parse_datetime_ms(t) for t in present], dtype=np.int64)
    else:
        parsed = np.array([parse_datetime_ms(t) for t in present], dtype=np.int64)
    values[~null] = parsed
    return values, null


def infer_kind(sample: list[object], numeric_strings: bool = False) -> str:
    """The kind of a field from its non-null values (the first non-null value decides).

    ``numeric_strings``: HubSpot sends every property value as a string, numbers included."""
    for value in sample:
        if value is None:
            continue
        if isinstance(value, bool):
            return "bool"
        if isinstance(value, (int, float)):
            return "number"
        if isinstance(value, str):
            if DATE_RE.match(value):
                return "date"
            if DATETIME_RE.match(value):
                return "datetime"
            if numeric_strings and _NUMBER_RE.match(value):
                return "number"
            return "string"
        return "string"
    return "string"


def build_column(raw: list[object], kind: str | None = None, numeric_strings: bool = False) -> Column:
    """A column from one value per row (None for null or missing)."""
    kind = kind or infer_kind(raw, numeric_strings)
    if kind in ("datetime", "date"):
        return _datetime_column(raw, kind)
    if kind == "number":
        return _number_column(raw)
    if kind == "bool":
        values = np.fromiter((value is True for value in raw), dtype=bool, count=len(raw))
        null = np.fromiter((not isinstance(value, bool) for value in raw), dtype=bool, count=len(raw))
        return Column(kind, values, null)
    values = np.empty(len(raw), dtype=object)
    null = np.zeros(len(raw), dtype=bool)
    for i, value in enumerate(raw):
        if value is None:
            values[i] = ""
            null[i] = True
        else:
            values[i] = value if isinstance(value, str) else str(value)
    return Column("string", values, null)


def _datetime_column(raw: list[object], kind: str) -> Column:
    # Fast path: every value an ISO datetime string in UTC (what both APIs send) or null.
    if all(value is None or (type(value) is str and "T" in value) for value in raw):
        try:
            values, null = datetimes_to_ms(raw)  # type: ignore[arg-type]
            return Column(kind, values, null)
        except ValueError:
            pass
    texts: list[str | None] = []
    for value in raw:
        if isinstance(value, str) and (DATETIME_RE.match(value) or DATE_RE.match(value)):
            texts.append(value if "T" in value else value + "T00:00:00Z")
        else:
            texts.append(None)
    values, null = datetimes_to_ms(texts)
    # Epoch-millisecond numbers (HubSpot sends some dates that way) are kept as they are.
    for i, value in enumerate(raw):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            values[i] = int(value)
            null[i] = False
        elif isinstance(value, str) and value.isdigit():
            values[i] = int(value)
            null[i] = False
    return Column(kind, values, null)


def _number_column(raw: list[object]) -> Column:
    if not any(isinstance(value, bool) for value in raw):
        try:
            # None becomes NaN; numeric strings (HubSpot) are parsed by numpy.
            values = np.array(raw, dtype=np.float64)
            null = np.isnan(values)
            values[null] = 0.0
            return Column("number", values, null)
        except (TypeError, ValueError):
            pass
    values = np.zeros(len(raw), dtype=np.float64)
    null = np.ones(len(raw), dtype=bool)
    for i, value in enumerate(raw):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            values[i] = value
            null[i] = False
        elif isinstance(value, str):
            try:
                values[i] = float(value)
                null[i] = False
            except ValueError:
                pass
    return Column("number", values, null)
