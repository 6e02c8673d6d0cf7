"""The data directory as loaded tables: raw JSON lines kept as bytes, keys as numpy columns.

At a million people the directory holds several million records, so a table keeps the file's bytes
once plus line offsets, and only the keys that filters and sorts need as numpy arrays. Records are
parsed (orjson) when a page is served. A table is immutable: when its file changes on disk (mtime,
size or inode), the next request loads a new version, while cursors opened on the old version keep
paging through it, so a rewrite mid-paging neither loses nor repeats a record.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import orjson

from ingestion.sandbox.server.columns import Column, build_column

_versions = itertools.count(1)
VERSION_IDLE_SECONDS = 15 * 60


@dataclass(frozen=True)
class Profile:
    """What to pull out of every record while a file loads.

    ``keys`` maps a key name to (getter, kind); ``fields_of`` returns the mapping whose keys are
    the record's fields (the record itself, or a HubSpot record's ``properties``)."""

    keys: dict[str, tuple[Callable[[dict], object], str | None]]
    fields_of: Callable[[dict], dict]
    numeric_strings: bool = False
    row: Callable[[dict], tuple] | None = None  # all keys at once, in ``keys`` order (faster)


@dataclass
class Table:
    name: str
    path: Path
    version: int
    data: bytes
    starts: np.ndarray
    ends: np.ndarray
    keys: dict[str, Column]
    fields: list[str]
    profile: Profile
    uniform: bool = True  # every record has the same fields (so raw lines can be served as they are)
    _columns: dict[str, Column] = field(default_factory=dict)
    _derived: dict[object, object] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def size(self) -> int:
        return len(self.starts)

    def raw(self, row: int) -> bytes:
        return self.data[self.starts[row] : self.ends[row]]

    def record(self, row: int) -> dict:
        return orjson.loads(self.data[self.starts[row] : self.ends[row]])

    def raw_array(self, rows: np.ndarray) -> bytes:
        """The records at ``rows`` as a JSON array, straight from the file's bytes (no parsing)."""
        data, starts, ends = self.data, self.starts, self.ends
        return b"[" + b",".join([data[starts[r] : ends[r]] for r in rows.tolist()]) + b"]"

    def records(self, rows: np.ndarray) -> list[dict]:
        data, starts, ends = self.data, self.starts, self.ends
        return [orjson.loads(data[starts[r] : ends[r]]) for r in rows.tolist()]

    def sample(self, count: int = 500) -> list[dict]:
        """Records spread over the table, for type inference."""
        if self.size == 0:
            return []
        rows = np.unique(np.linspace(0, self.size - 1, num=min(count, self.size)).astype(np.int64))
        return self.records(rows)

    def column(self, name: str, getter: Callable[[dict], object]) -> Column:
        """A key column for any field, computed on first use by parsing every record (cached)."""
        if name in self.keys:
            return self.keys[name]
        with self._lock:
            if name not in self._columns:
                data, starts, ends = self.data, self.starts, self.ends
                raw = [getter(orjson.loads(data[s:e])) for s, e in zip(starts.tolist(), ends.tolist())]
                self._columns[name] = build_column(raw, numeric_strings=self.profile.numeric_strings)
            return self._columns[name]


    def derived(self, key: object, compute: Callable[[], object], keep: int = 16) -> object:
        """A value computed from this version once (sort orders, filtered row sets), cached."""
        with self._lock:
            if key in self._derived:
                return self._derived[key]
        value = compute()
        with self._lock:
            if len(self._derived) >= keep:
                self._derived.pop(next(iter(self._derived)))
            self._derived[key] = value
        return value


def _line_bounds(data: bytes) -> tuple[np.ndarray, np.ndarray]:
    if not data:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    buf = np.frombuffer(data, dtype=np.uint8)
    newlines = np.flatnonzero(buf == 10).astype(np.int64)
    starts = np.concatenate(([0], newlines + 1))
    ends = np.concatenate((newlines, [len(data)]))
    # Blank lines (and a trailing newline) are not records.
    keep = (ends - starts) > 0
    starts, ends = starts[keep], ends[keep]
    nonblank = np.array([bool(data[s:e].strip()) for s, e in zip(starts.tolist(), ends.tolist())], dtype=bool) \
        if len(starts) and (buf[starts] <= 32).any() else np.ones(len(starts), dtype=bool)
    return starts[nonblank], ends[nonblank]


def empty_table(name: str, path: Path, profile: Profile) -> Table:
    """A declared object with no records (version 0: never a paging target)."""
    none = np.zeros(0, dtype=np.int64)
    keys = {key: build_column([], kind, numeric_strings=profile.numeric_strings)
            for key, (_, kind) in profile.keys.items()}
    return Table(name, path, 0, b"", none, none, keys, [], profile)


class DataFileError(ValueError):
    """A line of a data file is not a record: the whole file is refused, naming file and line.

    Skipping the line would serve the object without that record, which no real API does; the
    error surfaces as a 500 in the API's shape and on the server's stderr."""

    def __init__(self, path: Path, data: bytes, start: int, problem: str):
        self.path, self.line = path, data.count(b"\n", 0, start) + 1
        super().__init__(f"{path}, line {self.line}: {problem}")


def load_table(name: str, path: Path, profile: Profile) -> Table:
    data = path.read_bytes()
    starts, ends = _line_bounds(data)
    getters = [getter for getter, _ in profile.keys.values()]
    row_of = profile.row or (lambda record: tuple(getter(record) for getter in getters))
    fields_of = profile.fields_of
    loads = orjson.loads
    rows: list[tuple] = []
    seen: dict[str, None] = {}
    last_keys: set[str] = set()
    key_sets = 0
    # One orjson call per line measured faster than joining lines into JSON arrays: the records
    # are dropped as soon as their keys are taken, so the allocator and the GC stay idle.
    for s, e in zip(starts.tolist(), ends.tolist()):
        try:
            record = loads(data[s:e])
        except orjson.JSONDecodeError as error:
            raise DataFileError(path, data, s, f"not JSON ({error})") from None
        if type(record) is not dict:
            raise DataFileError(path, data, s, "not a JSON object")
        try:
            rows.append(row_of(record))
            names = fields_of(record)
        except (TypeError, AttributeError) as error:
            raise DataFileError(path, data, s, f"not in the object's record shape ({error})") from None
        if names.keys() != last_keys:
            key_sets += 1
            last_keys = set(names)
            for key in names:
                seen.setdefault(key, None)
    columns = list(zip(*rows)) if rows else [() for _ in getters]
    keys = {
        key: build_column(list(values), kind, numeric_strings=profile.numeric_strings)
        for (key, (_, kind)), values in zip(profile.keys.items(), columns)
    }
    return Table(name, path, next(_versions), data, starts, ends, keys, list(seen), profile,
                 uniform=key_sets <= 1)


class TableStore:
    """Tables of one data directory, reloaded when their file changes."""

    def __init__(self, root: Path, keep_versions: int = 2):
        self.root = Path(root)
        self._keep = keep_versions
        self._tables: dict[Path, tuple[tuple, Table]] = {}
        self._history: dict[int, Table] = {}
        self._last_used: dict[int, float] = {}
        self._locks: dict[Path, threading.Lock] = {}
        self._guard = threading.Lock()

    def names(self, api: str) -> list[str]:
        folder = self.root / api
        if not folder.is_dir():
            return []
        return sorted(p.stem for p in folder.glob("*.jsonl") if p.is_file())

    def resolve(self, api: str, name: str, case_insensitive: bool = False) -> str | None:
        """The file name for an object name (Salesforce names are case-insensitive)."""
        if (self.root / api / f"{name}.jsonl").is_file():
            return name
        if case_insensitive:
            for candidate in self.names(api):
                if candidate.lower() == name.lower():
                    return candidate
        return None

    def get(self, api: str, name: str, profile: Profile) -> Table | None:
        path = self.root / api / f"{name}.jsonl"
        with self._guard:
            lock = self._locks.setdefault(path, threading.Lock())
        with lock:
            for _ in range(5):
                try:
                    before = _signature(path)
                except FileNotFoundError:
                    self._tables.pop(path, None)
                    return None
                cached = self._tables.get(path)
                if cached and cached[0] == before:
                    return cached[1]
                table = load_table(name, path, profile)
                try:
                    after = _signature(path)
                except FileNotFoundError:
                    return None
                if after == before:
                    self._remember(path, before, table)
                    return table
                time.sleep(0.05)  # the file is being written; read it again once it settles
            self._remember(path, after, table)
            return table

    def version(self, version: int) -> Table | None:
        """A table version by number: the current one, or a replaced one still being paged."""
        with self._guard:
            table = self._history.get(version)
            if table is not None:
                self._last_used[version] = time.monotonic()
            return table

    def _remember(self, path: Path, signature: tuple, table: Table) -> None:
        self._tables[path] = (signature, table)
        with self._guard:
            self._history[table.version] = table
            now = time.monotonic()
            self._last_used[table.version] = now
            current = {t.version for _, t in self._tables.values()}
            same_file = sorted(v for v, t in self._history.items() if t.path == path)
            stale = set(same_file[: -self._keep])
            # A replaced version is kept for paging that began on it, until idle for a while.
            stale |= {v for v in self._history if v not in current and now - self._last_used[v] > VERSION_IDLE_SECONDS}
            for old in stale:
                del self._history[old]
                del self._last_used[old]


def _signature(path: Path) -> tuple:
    st = path.stat()
    return (st.st_mtime_ns, st.st_size, st.st_ino)
