"""Reading and writing the data directory: one JSONL file per object plus manifest.json.

Every write goes to a temporary file in the same directory and is then renamed over the target,
so a server reading the directory concurrently sees either the old file or the new one, whole.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import orjson
import polars as pl
import pyarrow as pa
import pyarrow.json as pa_json

from ingestion.sandbox.generator.custom_fields import read_custom
from ingestion.sandbox.generator.schema import MODIFIED_FIELD, OBJECTS, RAW_JSON

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
    if key in RAW_JSON:
        _replace_atomically(object_path(data_dir, key), lambda tmp: Path(tmp).write_bytes(_with_raw_json(frame, RAW_JSON[key])))
    else:
        _replace_atomically(object_path(data_dir, key), frame.write_ndjson)


def _with_raw_json(frame: pl.DataFrame, raw: tuple[str, ...]) -> bytes:
    """NDJSON of ``frame`` where the ``raw`` columns (JSON text) are written as the JSON they hold,
    after the other fields."""
    if frame.height == 0:
        return b""
    scalars = frame.drop(raw).write_ndjson().splitlines()
    tails = frame.select(pl.concat_str(
        [pl.lit(f',"{name}":') + pl.col(name).fill_null("null") for name in raw] + [pl.lit("}")]
    ).alias("tail")).to_series().to_list()
    return "".join(line[:-1] + tail + "\n" for line, tail in zip(scalars, tails, strict=True)).encode()


def _read_with_raw_json(path: Path, schema: pl.Schema, raw: tuple[str, ...]) -> pl.DataFrame:
    rows = []
    for line in path.read_bytes().splitlines():
        if line.strip():
            record = orjson.loads(line)
            for name in raw:
                value = record.get(name)
                record[name] = None if value is None else orjson.dumps(value).decode()
            rows.append(record)
    return pl.DataFrame(rows, schema=schema)


def object_schema(data_dir: Path, key: str) -> pl.Schema:
    """The contract's schema of an object, with the custom fields ``<dir>/schema.json`` declares
    for it after the standard ones (Salesforce: top-level fields; HubSpot: more ``properties``)."""
    schema = OBJECTS[key]
    custom = read_custom(data_dir).get(key)
    if not custom:
        return schema
    if key.startswith("salesforce/"):
        return pl.Schema({**schema, **{k: v for k, v in custom.items() if k not in schema}})
    properties = schema["properties"]
    known = dict(properties.to_schema())
    widened = pl.Struct({**known, **{k: v for k, v in custom.items() if k not in known}})
    return pl.Schema({name: widened if name == "properties" else dtype for name, dtype in schema.items()})


def read_object(data_dir: Path, key: str) -> pl.DataFrame:
    """An object's file read with its schema (an absent or empty file is an empty frame)."""
    path = object_path(data_dir, key)
    schema = object_schema(data_dir, key)
    if not path.exists() or path.stat().st_size == 0:
        return pl.DataFrame(schema=schema)
    if key in RAW_JSON:
        return _read_with_raw_json(path, schema, RAW_JSON[key])
    if key.startswith("hubspot/"):
        # polars' ndjson reader is 2-4x slower than Arrow's on HubSpot's wide nested records.
        options = pa_json.ParseOptions(explicit_schema=_arrow_schema(schema), unexpected_field_behavior="ignore")
        return pl.from_arrow(pa_json.read_json(path, parse_options=options)).cast(schema)
    return pl.read_ndjson(path, schema=schema)


def _arrow_type(kind: pa.DataType) -> pa.DataType:
    """The type Arrow's JSON reader accepts (no large or view types) for a polars-made Arrow type."""
    if pa.types.is_large_string(kind) or pa.types.is_string_view(kind):
        return pa.string()
    if pa.types.is_large_list(kind) or pa.types.is_list(kind):
        return pa.list_(_arrow_type(kind.value_type))
    if pa.types.is_struct(kind):
        return pa.struct([pa.field(f.name, _arrow_type(f.type)) for f in kind])
    return kind


def _arrow_schema(schema: pl.Schema) -> pa.Schema:
    empty = pl.DataFrame(schema=schema).to_arrow().schema
    return pa.schema([pa.field(f.name, _arrow_type(f.type)) for f in empty])


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
