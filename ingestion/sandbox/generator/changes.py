"""The primitives ``mutate`` is built from: load an object's file on first use, update / insert /
soft-delete rows column-wise while stamping their modification time, write the file back
atomically and forget it as soon as no later step needs it (so a million-person dataset is never
in memory all at once). Append-only logs (email events, form submissions) are extended without
parsing the records already there."""

from __future__ import annotations

import io
import mmap
import os
import shutil
from pathlib import Path

import numpy as np
import polars as pl

from ingestion.sandbox.generator import vocab
from ingestion.sandbox.generator.files import max_modified, object_path, read_object, write_object
from ingestion.sandbox.generator.ids import salesforce_id_counters, salesforce_ids
from ingestion.sandbox.generator.schema import ID_FIELD, MODIFIED_FIELD, OBJECTS
from ingestion.sandbox.generator.wire_formats import hs_datetime, sf_datetime

# How the touched records of an object split between updates, inserts and deletes.
SPLIT = (0.7, 0.2, 0.1)
UPDATES_ONLY = (1.0, 0.0, 0.0)


def member(values: pl.Series, pool: pl.Series) -> np.ndarray:
    """Whether each of ``values`` is in ``pool`` (null is never a member)."""
    return values.is_in(pool.implode()).fill_null(False).to_numpy()


def _line_ends(view, chunk: int = 64 * 2**20) -> np.ndarray:
    """Positions of every newline in ``view``, scanned in chunks so memory stays flat."""
    found = []
    for offset in range(0, len(view), chunk):
        block = np.frombuffer(view, dtype=np.uint8, count=min(chunk, len(view) - offset), offset=offset)
        found.append(np.flatnonzero(block == ord("\n")) + offset)
        del block
    return np.concatenate(found) if found else np.empty(0, dtype=np.int64)


class Change:
    """One object's records while they change, and the ids changed so far."""

    def __init__(self, key: str, frame: pl.DataFrame):
        self.key = key
        self.frame = frame
        self.id_field = ID_FIELD[key]
        self.updated: list[str] = []
        self.inserted: list[str] = []
        self.deleted: list[str] = []
        self.touched = np.zeros(frame.height, dtype=bool)  # rows already changed by this mutation

    @property
    def dirty(self) -> bool:
        return bool(self.updated or self.inserted or self.deleted)

    def live(self) -> np.ndarray:
        """Row positions of records that are neither deleted nor archived."""
        if "IsDeleted" in self.frame.columns:
            return np.flatnonzero(~self.frame["IsDeleted"].to_numpy())
        if "archived" in self.frame.columns:
            return np.flatnonzero(~self.frame["archived"].to_numpy())
        return np.arange(self.frame.height)

    def ids(self, rows: np.ndarray) -> list[str]:
        return self.frame[self.id_field].gather(rows).to_list()


def _modified_exprs(key: str, delete: bool) -> dict[str, pl.Expr]:
    """New values of the fields that record a change at ``_t`` (and a soft delete, if ``delete``)."""
    t = pl.col("_t")
    if key.startswith("salesforce/"):
        out = {"LastModifiedDate": sf_datetime(t), "SystemModstamp": sf_datetime(t)}
        return out | ({"IsDeleted": pl.lit(True)} if delete else {})
    if key in ("hubspot/contacts", "hubspot/companies"):
        prop = "lastmodifieddate" if key == "hubspot/contacts" else "hs_lastmodifieddate"
        out = {
            "updatedAt": hs_datetime(t),
            "properties": pl.col("properties").struct.with_fields(hs_datetime(t).alias(prop)),
        }
        return out | ({"archived": pl.lit(True), "archivedAt": hs_datetime(t)} if delete else {})
    field, encoding = MODIFIED_FIELD[key]
    return {field: t if encoding == "epoch_ms" else hs_datetime(t)}


def _created_exprs(key: str) -> dict[str, pl.Expr]:
    """Fields of a freshly created record (created at ``_t``, with id ``_new_id``)."""
    t = pl.col("_t")
    if key.startswith("salesforce/"):
        sobject = key.split("/")[1]
        url = pl.lit(f"/services/data/{vocab.SALESFORCE_API_VERSION}/sobjects/{sobject}/") + pl.col("_new_id")
        return {
            "Id": pl.col("_new_id"), "attributes": pl.struct(type=pl.lit(sobject), url=url),
            "CreatedDate": sf_datetime(t), "IsDeleted": pl.lit(False),
        }
    out = {ID_FIELD[key]: pl.col("_new_id")}
    if "createdAt" in OBJECTS[key]:
        out["createdAt"] = hs_datetime(t)
    if "archived" in OBJECTS[key]:
        out["archived"] = pl.lit(False)
    if "archivedAt" in OBJECTS[key]:
        out["archivedAt"] = pl.lit(None, dtype=pl.String)
    return out


class Changes:
    """A dataset being mutated: lazily loaded objects plus the primitives that change them."""

    def __init__(self, data_dir: Path, fraction: float, rng: np.random.Generator, start: int, window: int):
        self.dir = data_dir
        self.fraction = fraction
        self.rng = rng
        self.start = start
        self.window = window
        self._open: dict[str, Change] = {}
        # key -> (record count, max modified, {"updated": [...], "inserted": [...], "deleted": [...]})
        self.finished: dict[str, tuple[int, object, dict[str, list[str]]]] = {}

    def __getitem__(self, key: str) -> Change:
        if key in self.finished:
            raise RuntimeError(f"{key} was already written; change it before finishing it")
        if key not in self._open:
            self._open[key] = Change(key, read_object(self.dir, key))
        return self._open[key]

    def finish(self, *keys: str) -> None:
        """Write each object back (if it changed) and drop it from memory."""
        for key in keys:
            change = self[key]
            if change.dirty:
                write_object(self.dir, key, change.frame)
            ids = {"updated": change.updated, "inserted": change.inserted, "deleted": change.deleted}
            self.finished[key] = (change.frame.height, max_modified(key, change.frame), ids)
            del self._open[key]

    # -- sampling -------------------------------------------------------------------------------
    def times(self, n: int) -> np.ndarray:
        """``n`` change times inside this mutation's window, past everything already in the dataset."""
        return self.start + np.sort(self.rng.integers(0, self.window, n))

    def sample(self, candidates: np.ndarray, share: float = 1.0) -> np.ndarray:
        """About ``fraction * share * len(candidates)`` rows drawn from ``candidates``."""
        expected = self.fraction * share * candidates.shape[0]
        # Rounded at random, so even an object of a few records changes now and then, as often as asked.
        k = min(candidates.shape[0], int(expected) + int(self.rng.random() < expected - int(expected)))
        if k == 0:
            return np.empty(0, dtype=np.int64)
        return np.sort(self.rng.choice(candidates, size=k, replace=False))

    def split(self, key: str, candidates: np.ndarray | None = None, shares=SPLIT) -> tuple[np.ndarray, ...]:
        """Disjoint row samples to update, to copy for inserts and to delete, in ``shares``; about
        ``fraction`` of the object's live records in all, drawn from ``candidates`` (default: live)."""
        live = self[key].live()
        pool = live if candidates is None else candidates
        total = self.rng.permutation(self.sample(pool, live.shape[0] / max(pool.shape[0], 1)))
        k_upd = int(round(total.shape[0] * shares[0] / sum(shares)))
        k_ins = int(round(total.shape[0] * shares[1] / sum(shares)))
        return np.sort(total[:k_upd]), np.sort(total[k_upd : k_upd + k_ins]), np.sort(total[k_upd + k_ins :])

    def drawn(self, values: pl.Series, n: int) -> pl.Series:
        """``n`` values drawn from ``values`` (nulls skipped)."""
        values = values.drop_nulls()
        if values.len() == 0:
            return pl.repeat(None, n, dtype=values.dtype, eager=True)
        return values.gather(self.rng.integers(0, values.len(), n))

    def spread(self, values: pl.Series, rows: np.ndarray, height: int) -> pl.Series:
        """A full-height column holding values drawn from ``values`` on ``rows`` (others unused)."""
        column = pl.repeat(None, height, dtype=values.dtype, eager=True)
        if rows.shape[0] == 0:
            return column
        return column.scatter(rows, self.drawn(values, rows.shape[0]))

    # -- ids -----------------------------------------------------------------------------------
    def next_salesforce_ids(self, key: str, n: int) -> pl.Series:
        existing = self[key].frame["Id"]
        start = int(salesforce_id_counters(existing).max()) + 1 if existing.len() else 0
        return salesforce_ids(key.split("/")[1], np.arange(start, start + n))

    def next_numeric_ids(self, key: str, n: int) -> pl.Series:
        existing = self[key].frame["id"]
        start = int(existing.cast(pl.Int64).max()) + 1 if existing.len() else 1
        return pl.Series(np.arange(start, start + n, dtype=np.int64)).cast(pl.String)

    # -- changes -------------------------------------------------------------------------------
    def _stamp(self, change: Change, rows: np.ndarray, exprs: dict[str, pl.Expr], delete: bool) -> None:
        """Apply ``exprs`` (which may use ``pl.col("_t")``, the change time) to ``rows`` and move
        their modification time to ``_t``."""
        if rows.shape[0] == 0:
            return
        mask = np.zeros(change.frame.height, dtype=bool)
        mask[rows] = True
        t = np.zeros(change.frame.height, dtype=np.int64)
        t[rows] = self.times(rows.shape[0])
        exprs = {**exprs, **_modified_exprs(change.key, delete)}
        change.frame = (
            change.frame.with_columns(_m=pl.Series(mask), _t=pl.Series(t))
            .with_columns([pl.when(pl.col("_m")).then(e).otherwise(pl.col(n)).alias(n) for n, e in exprs.items()])
            .drop("_m", "_t")
        )

    def update(self, key: str, rows: np.ndarray, **exprs) -> None:
        change = self[key]
        rows = rows[~change.touched[rows]]
        self._stamp(change, rows, exprs, delete=False)
        change.touched[rows] = True
        change.updated += change.ids(rows)

    def delete(self, key: str, rows: np.ndarray) -> None:
        """Soft-delete (Salesforce) or archive (HubSpot) the live ones among ``rows`` that this
        mutation has not changed yet (each record is reported once: updated, inserted or deleted)."""
        change = self[key]
        rows = np.intersect1d(rows, change.live())
        rows = rows[~change.touched[rows]]
        self._stamp(change, rows, {}, delete=True)
        change.touched[rows] = True
        change.deleted += change.ids(rows)

    def cascade(self, key: str, column: str, parent_ids: list[str]) -> None:
        """Soft-delete live records whose ``column`` points at a deleted parent, as Salesforce does."""
        if parent_ids:
            change = self[key]
            live = change.live()
            self.delete(key, live[member(change.frame[column].gather(live), pl.Series(parent_ids, dtype=pl.String))])

    def copies(self, key: str, sources: pl.DataFrame, new_ids: pl.Series, exprs: dict) -> pl.DataFrame:
        """New records copied from ``sources``: new ids, created now, then changed by ``exprs``."""
        rows = sources.with_columns(_t=pl.Series(self.times(sources.height)), _new_id=new_ids)
        rows = rows.with_columns(**_created_exprs(key)).with_columns(**exprs)
        # the contract's fields, then the custom fields the sources carry (as in the file)
        columns = [*OBJECTS[key], *(c for c in sources.columns if c not in OBJECTS[key] and not c.startswith("_"))]
        return rows.with_columns(**_modified_exprs(key, False)).select(columns)

    def insert(self, key: str, sources: np.ndarray, new_ids: pl.Series, **exprs) -> pl.DataFrame:
        """Append copies of the ``sources`` rows (see :meth:`copies`); returns the new rows."""
        change = self[key]
        if sources.shape[0] == 0:
            return change.frame.clear()
        rows = self.copies(key, change.frame[sources], new_ids, exprs)
        self.append_rows(key, rows)
        return rows

    def append_rows(self, key: str, rows: pl.DataFrame) -> None:
        change = self[key]
        change.frame = pl.concat([change.frame, rows.cast(change.frame.schema)])
        change.touched = np.concatenate([change.touched, np.ones(rows.height, dtype=bool)])
        change.inserted += rows[change.id_field].to_list()

    def append_copies(self, key: str, new_ids, **exprs) -> None:
        """Grow an append-only log by about ``fraction`` of its records, copied from random ones,
        without parsing the rest: the file is copied byte for byte and the new lines appended."""
        path = object_path(self.dir, key)
        size = path.stat().st_size if path.exists() else 0
        if size == 0:
            self.finished[key] = (0, None, {"updated": [], "inserted": [], "deleted": []})
            return
        with open(path, "rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as view:
            ends = _line_ends(view)
            ends_with_newline = view[size - 1] == ord("\n")
            if not ends_with_newline:
                ends = np.append(ends, size)
            starts = np.concatenate([[0], ends[:-1] + 1])
            chosen = self.sample(np.arange(ends.shape[0]))
            picked = b"\n".join(view[starts[i] : ends[i]] for i in chosen.tolist())
        n = ends.shape[0]
        previous_max = None
        if chosen.shape[0] == 0:
            self.finished[key] = (n, previous_max, {"updated": [], "inserted": [], "deleted": []})
            return
        sources = pl.read_ndjson(io.BytesIO(picked), schema=OBJECTS[key])
        rows = self.copies(key, sources, new_ids(chosen.shape[0]), exprs)
        temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        try:
            shutil.copyfile(path, temporary)
            with open(temporary, "ab") as handle:
                if not ends_with_newline:
                    handle.write(b"\n")
                rows.write_ndjson(handle)
            os.replace(temporary, path)
        finally:
            temporary.unlink(missing_ok=True)
        # Every new record is newer than anything before this mutation, so it holds the maximum.
        ids = {"updated": [], "inserted": rows[ID_FIELD[key]].to_list(), "deleted": []}
        self.finished[key] = (n + rows.height, max_modified(key, rows), ids)


__all__ = ["Change", "Changes", "SPLIT", "UPDATES_ONLY", "member", "write_object"]
