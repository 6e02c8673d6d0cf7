"""The mess real data has, applied column-wise: email spelled differently per system, late updates,
soft deletes. Each helper takes the shares it applies so the amounts stay measurable."""

from __future__ import annotations

import numpy as np
import polars as pl

from ingestion.sandbox.generator.story import DAY

# How an email typed into the other system differs: 0 same, 1 UPPER, 2 Capitalised,
# 3 leading space, 4 trailing space, 5 UPPER with trailing space.
VARIANTS = 6


def email_variant(email: pl.Series, code: np.ndarray) -> pl.Series:
    """``email`` re-typed according to ``code`` (see VARIANTS); nulls stay null."""
    c = pl.Series("c", code)
    e = pl.col("e")
    capitalised = e.str.slice(0, 1).str.to_uppercase() + e.str.slice(1)
    return (
        pl.DataFrame({"e": email, "c": c})
        .select(
            pl.when(pl.col("c") == 1).then(e.str.to_uppercase())
            .when(pl.col("c") == 2).then(capitalised)
            .when(pl.col("c") == 3).then(" " + e)
            .when(pl.col("c") == 4).then(e + " ")
            .when(pl.col("c") == 5).then(e.str.to_uppercase() + " ")
            .otherwise(e)
        )
        .to_series()
    )


def variant_codes(rng: np.random.Generator, n: int, share: float, *, always: bool = False) -> np.ndarray:
    """Variant codes where about ``share`` of rows differ (every row when ``always``)."""
    codes = rng.integers(1, VARIANTS, n)
    if always:
        return codes
    return np.where(rng.random(n) < share, codes, 0)


def late_updates(
    rng: np.random.Generator, created: np.ndarray, modified: np.ndarray, as_of: int, share: float = 0.04
) -> np.ndarray:
    """Move the last modification of about ``share`` of records to long after their creation:
    the edits that arrive weeks later and that an incremental load must still pick up."""
    old_enough = (as_of - created) > 45 * DAY
    chosen = old_enough & (rng.random(created.shape[0]) < share)
    floor = np.maximum(modified, created + 30 * DAY)
    late = floor + ((as_of - floor) * rng.random(created.shape[0])).astype(np.int64)
    return np.where(chosen & (floor < as_of), np.maximum(late, modified), modified)


def soft_delete_times(rng: np.random.Generator, modified: np.ndarray, as_of: int) -> np.ndarray:
    """When records that were last modified at ``modified`` got deleted (at or before as_of)."""
    return modified + ((as_of - modified) * rng.random(modified.shape[0])).astype(np.int64)
