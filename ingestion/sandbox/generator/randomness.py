"""Seeded random streams, one per part of the story, so changing one part leaves the others alone."""

from __future__ import annotations

import zlib

import numpy as np


def stream(seed: int, part: str) -> np.random.Generator:
    """The random generator for ``part`` of the dataset made with ``seed``."""
    return np.random.default_rng([seed & 0xFFFFFFFF, seed >> 32, zlib.crc32(part.encode())])


def lognormal_ms(rng: np.random.Generator, median_ms: float, sigma: float, n: int) -> np.ndarray:
    """Durations in milliseconds, log-normally spread around ``median_ms``."""
    return (median_ms * rng.lognormal(0.0, sigma, n)).astype(np.int64)


def pick(rng: np.random.Generator, weights, n: int) -> np.ndarray:
    """Indices into ``weights`` drawn in proportion to them."""
    weights = np.asarray(weights, dtype=np.float64)
    cumulative = np.cumsum(weights / weights.sum())
    return np.minimum(np.searchsorted(cumulative, rng.random(n), side="right"), len(weights) - 1)


def ranks_within(groups_sizes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For groups of the given sizes laid end to end: each row's group and its rank in the group."""
    sizes = np.asarray(groups_sizes, dtype=np.int64)
    group = np.repeat(np.arange(sizes.shape[0]), sizes)
    starts = np.cumsum(sizes) - sizes
    rank = np.arange(group.shape[0]) - np.repeat(starts, sizes)
    return group, rank
