"""Reading and writing the data directory: one JSONL file per object plus manifest.json.

Every write goes to a temporary file in the same directory and is then renamed over the target,
so a server reading the directory concurrently sees either the old file or the new one, whole.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import polars as pl

from ingestion.sandbox.generator.schema import MODIFIED_FIELD, OBJECTS

MANIFEST = "manifest.json"


def object_path(data_dir: Path, key: str) -> Path:
    """``<dir>/salesforce/Lead.jsonl`` for key ``salesforce/Lead``."""
    return data_dir / f"{key}.jsonl"


def _replace_atomically(target: Path, write) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        write(temporary)
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)


def write_object(data_dir: Path, key: str, frame: pl.DataFrame) -> None:
    _replace_atomically(object_path(data_dir, key), frame.write_ndjson)


def read_object(data_dir: Path, key: str) -> pl.DataFrame:
    """An object's file read with the contract's schema (an absent or empty file is an empty frame)."""
    path = object_path(data_dir, key)
    schema = OBJECTS[key]
    if not path.exists() or path.stat().st_size == 0:
        return pl.DataFrame(schema=schema)
    return pl.read_ndjson(path, schema=schema)


def write_json(path: Path, document: dict) -> None:
    text = json.dumps(document, indent=2, sort_keys=False) + "\n"
    _replace_atomically(path, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))


def read_manifest(data_dir: Path) -> dict:
    path = data_dir / MANIFEST
    if not path.exists():
        raise FileNotFoundError(f"{data_dir} has no {MANIFEST}: is it a directory made by `generate`?")
    return json.loads(path.read_text(encoding="utf-8"))


def max_modified(key: str, frame: pl.DataFrame):
    """The object's latest modification in its own wire format (string or epoch ms); None when empty."""
    field, _ = MODIFIED_FIELD[key]
    if frame.height == 0:
        return None
    return frame[field].max()
