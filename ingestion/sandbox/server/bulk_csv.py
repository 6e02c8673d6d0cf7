"""Bulk API 2.0 result pages as CSV, written from the table's raw JSON lines.

A real org prepares result files server-side, so the sandbox must not be what a Bulk benchmark
measures. A page is therefore parsed and written by Arrow in bulk: the page's JSON lines go to
``pyarrow.json`` with a schema built from the fields' describe types, and ``pyarrow.csv`` writes
the columns as text. A page Arrow cannot read with that schema (a field without a describe type, a
type with no flat Arrow form such as ``address``, or a value of another type in a hand-made file)
is written record by record in Python instead, so any data file is served correctly.

Format (ingestion/sandbox/README.md, "Bulk API 2.0"): a header row, every value double-quoted
(quotes doubled), null as ``""``, booleans ``true``/``false``, datetimes ``...000Z``, LF endings.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.json as pa_json

from ingestion.sandbox.server.columns import DATETIME_RE, parse_datetime_ms

_TEXT = ("id", "reference", "string", "picklist", "multipicklist", "combobox", "email", "url", "phone",
         "textarea", "encryptedstring", "date", "datetime", "time", "base64")
_ARROW_TYPES = {
    **dict.fromkeys(_TEXT, pa.string()),
    **dict.fromkeys(("double", "currency", "percent"), pa.float64()),
    **dict.fromkeys(("int", "long"), pa.int64()),
    "boolean": pa.bool_(),
}
_NUMERIC = {"int", "long", "double", "currency", "percent"}
_REST_UTC = r"^.{23}\+0000$"
# Built from buffers: a Python value converted by pa.scalar() or pa.array() makes pyarrow import
# pandas (seconds, once per server process).
_EMPTY = pa.Array.from_buffers(pa.string(), 1, [None, pa.py_buffer(bytes(8)), pa.py_buffer(b"")])[0]
_WRITE = pa_csv.WriteOptions(quoting_style="all_valid")


def csv_page(table, rows: np.ndarray, fields: tuple[str, ...], types: dict[str, str]) -> bytes:
    """The records at ``rows`` as a Bulk API 2.0 CSV page (header row first, every value quoted)."""
    if len(rows):
        page = arrow_page(table, rows, fields, types)
        if page is not None:
            return page
    return python_page(table, rows, fields, types)


def arrow_page(table, rows: np.ndarray, fields: tuple[str, ...], types: dict[str, str]) -> bytes | None:
    """The page written by Arrow, or None when Arrow cannot read these records with the declared types."""
    names = list(dict.fromkeys(fields))
    arrow_types = [_ARROW_TYPES.get(types.get(name, "")) for name in names]
    if any(t is None for t in arrow_types):
        return None
    data, starts, ends = table.data, table.starts, table.ends
    lines = b"\n".join([data[s:e] for s, e in zip(starts[rows].tolist(), ends[rows].tolist())])
    options = pa_json.ParseOptions(explicit_schema=pa.schema(list(zip(names, arrow_types))),
                                   unexpected_field_behavior="ignore")
    try:
        parsed = pa_json.read_json(pa.py_buffer(lines), read_options=pa_json.ReadOptions(block_size=len(lines) + 1),
                                   parse_options=options)
    except pa.ArrowInvalid:
        return None
    if parsed.num_rows != len(rows):  # a line that is not one JSON object: let Python say what it is
        return None
    text = {name: _text(parsed.column(name).combine_chunks(), types[name]) for name in names}
    out = pa.BufferOutputStream()
    pa_csv.write_csv(pa.Table.from_arrays([text[name] for name in fields], names=list(fields)), out, _WRITE)
    return out.getvalue().to_pybytes()


def _text(column: pa.Array, sf_type: str) -> pa.Array:
    """One column as the CSV's text, null as the empty string (written quoted, ``""``)."""
    if sf_type == "datetime":
        # The REST API's UTC form (2024-03-05T14:22:01.000+0000), as the files hold it: the test the
        # Python path makes per value, made per column.
        if pc.all(pc.match_substring_regex(column, _REST_UTC)).as_py() is not False:
            column = pc.utf8_replace_slice(column, start=23, stop=28, replacement="Z")
        else:  # other offsets or precisions: converted one by one, as the Python path does
            column = pa.array(_column(column.to_pylist(), sf_type), pa.string())
    elif pa.types.is_floating(column.type):
        # Arrow writes a whole float as "3"; the files' JSON (and the Python path) says "3.0".
        column = pc.replace_substring_regex(pc.cast(column, pa.string()), r"^(-?\d+)$", r"\1.0")
    elif not pa.types.is_string(column.type):
        column = pc.cast(column, pa.string())  # int64 as digits, booleans as true/false
    return pc.coalesce(column, _EMPTY)


def python_page(table, rows: np.ndarray, fields: tuple[str, ...], types: dict[str, str]) -> bytes:
    """The page written record by record: any JSON value of any field."""
    records = table.records(rows)
    columns = [_column([record.get(name) for record in records], types.get(name, "")) for name in fields]
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerow(fields)
    writer.writerows(zip(*columns))
    return out.getvalue().encode("utf-8")


def _format(value: object, sf_type: str) -> str:
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        if sf_type == "datetime" or (not sf_type and DATETIME_RE.match(value)):
            if len(value) == 28 and value.endswith("+0000") and value[19] == ".":
                return value[:23] + "Z"  # the REST API's UTC form, the common case
            try:
                moment = datetime.fromtimestamp(parse_datetime_ms(value) / 1000, UTC)
                return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
            except ValueError:
                return value
        return value
    if isinstance(value, (dict, list)):
        return orjson.dumps(value).decode()
    return str(value)


def _column(values: list, sf_type: str) -> list[str]:
    """One field's values as CSV text, column by column (the common types without a call per value)."""
    if sf_type in ("", "datetime", "boolean") or sf_type in _NUMERIC:
        if sf_type == "datetime":
            return [v[:23] + "Z" if type(v) is str and len(v) == 28 and v.endswith("+0000") else _format(v, sf_type)
                    for v in values]
        return [_format(v, sf_type) for v in values]
    return [v if type(v) is str else _format(v, sf_type) for v in values]
