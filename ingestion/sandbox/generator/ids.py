"""Record ids in each API's own shape, built for whole columns at once.

Salesforce ids are 18 characters: a 3-character key prefix, a 2-character instance, a reserved
``0``, a 9-character base-62 counter, then a 3-character suffix that encodes which of the first 15
characters are upper case (what makes the id case-insensitively unique).
"""

from __future__ import annotations

import numpy as np
import polars as pl
import pyarrow as pa

SALESFORCE_KEY_PREFIXES = {
    "User": "005",
    "Account": "001",
    "Lead": "00Q",
    "Contact": "003",
    "Opportunity": "006",
    "OpportunityHistory": "008",
    "OpportunityContactRole": "00K",
    "Campaign": "701",
    "CampaignMember": "00v",
    "Task": "00T",
    "Event": "00U",
}
_INSTANCE = b"8d0"
_BASE62 = np.frombuffer(b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", dtype=np.uint8)
_SUFFIX = np.frombuffer(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ012345", dtype=np.uint8)
_HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
# Counters start away from zero so ids look like a lived-in org's, not 000000001.
_COUNTER_START = 62**5


def _strings_from_rows(chars: np.ndarray) -> pl.Series:
    """A (n, width) uint8 array of ASCII characters as a string column, without a Python loop."""
    n, width = chars.shape
    offsets = np.arange(0, (n + 1) * width, width, dtype=np.int64)
    array = pa.LargeStringArray.from_buffers(
        n, pa.py_buffer(offsets), pa.py_buffer(np.ascontiguousarray(chars).tobytes())
    )
    return pl.Series(array).cast(pl.String)


def salesforce_ids(sobject: str, counters: np.ndarray) -> pl.Series:
    """18-character ids for ``sobject`` from non-negative integer counters (one id per counter)."""
    counters = np.asarray(counters, dtype=np.int64) + _COUNTER_START
    n = counters.shape[0]
    chars = np.empty((n, 18), dtype=np.uint8)
    chars[:, 0:3] = np.frombuffer(SALESFORCE_KEY_PREFIXES[sobject].encode(), dtype=np.uint8)
    chars[:, 3:6] = np.frombuffer(_INSTANCE, dtype=np.uint8)
    rest = counters.copy()
    for position in range(14, 5, -1):
        chars[:, position] = _BASE62[rest % 62]
        rest //= 62
    upper = (chars[:, :15] >= ord("A")) & (chars[:, :15] <= ord("Z"))
    weights = np.array([1, 2, 4, 8, 16], dtype=np.int64)
    for chunk in range(3):
        bits = upper[:, chunk * 5 : chunk * 5 + 5].astype(np.int64) @ weights
        chars[:, 15 + chunk] = _SUFFIX[bits]
    return _strings_from_rows(chars)


def salesforce_id_counters(ids: pl.Series) -> np.ndarray:
    """The counters back from 18-character ids (the inverse of :func:`salesforce_ids`)."""
    if ids.len() == 0:
        return np.empty(0, dtype=np.int64)
    array = ids.cast(pl.String).to_arrow().cast(pa.large_string())
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    offsets = np.frombuffer(array.buffers()[1], dtype=np.int64)[array.offset : array.offset + len(array) + 1]
    if array.null_count or not np.all(np.diff(offsets) == 18):
        raise ValueError("Salesforce ids must all be 18 characters long")
    data = np.frombuffer(array.buffers()[2], dtype=np.uint8)
    raw = data[offsets[0] : offsets[-1]].reshape(-1, 18)
    lookup = np.zeros(256, dtype=np.int64)
    lookup[_BASE62] = np.arange(62)
    values = np.zeros(raw.shape[0], dtype=np.int64)
    for position in range(6, 15):
        values = values * 62 + lookup[raw[:, position]]
    return values - _COUNTER_START


def guids(rng: np.random.Generator, n: int) -> pl.Series:
    """Random version-4 GUIDs drawn from ``rng`` (deterministic for a seeded generator)."""
    raw = rng.integers(0, 256, size=(n, 16), dtype=np.uint8)
    raw[:, 6] = (raw[:, 6] & 0x0F) | 0x40
    raw[:, 8] = (raw[:, 8] & 0x3F) | 0x80
    hexed = np.empty((n, 32), dtype=np.uint8)
    hexed[:, 0::2] = _HEX[raw >> 4]
    hexed[:, 1::2] = _HEX[raw & 0x0F]
    chars = np.full((n, 36), ord("-"), dtype=np.uint8)
    for start, stop, out in ((0, 8, 0), (8, 12, 9), (12, 16, 14), (16, 20, 19), (20, 32, 24)):
        chars[:, out : out + stop - start] = hexed[:, start:stop]
    return _strings_from_rows(chars)
