"""Pages of JSON records handed to dlt as Arrow tables, typed like the columns dlt already knows.

A list of dicts makes dlt type, normalize and write every row in Python; an Arrow table per page
is typed column by column and written to the load package as parquet, which is several times
faster. The types come from the resource's declared column hints and from the schema of earlier
runs, so a page never decides a known column's type by its values.

A page Arrow cannot type (a value contradicting its column's type, mixed types in one field) or
that holds nested objects goes to dlt as dicts instead: dlt's row-by-row path then applies the
schema contract to it (variant column or refusal) and unnests nested data into child tables,
exactly as without Arrow.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

import dlt
import pyarrow as pa
from dlt.common.schema import Schema
from dlt.common.schema.utils import autodetect_sc_type

ARROW_TYPES: dict[str, pa.DataType] = {
    "text": pa.string(),
    "bigint": pa.int64(),
    "double": pa.float64(),
    "bool": pa.bool_(),
    "timestamp": pa.timestamp("us", tz="UTC"),
    "date": pa.date32(),
}


def declared_types(columns: Mapping[str, Mapping[str, Any]]) -> dict[str, str]:
    """Source field name -> dlt data type, from column hints keyed by source field name."""
    return {name: column["data_type"] for name, column in columns.items() if "data_type" in column}


# dlt computes and merges a table schema for every Arrow item it is handed, a cost per item rather
# than per row: small API pages (HubSpot's are 50 to 200 records) are combined before they go.
BATCH_ROWS = 10_000


def as_pages(
    pages: Iterable[list[dict[str, Any]]],
    table_name: str,
    declared: Mapping[str, str],
    lift: str | None = None,
    key: str | None = None,
    batch_rows: int = BATCH_ROWS,
    schema: Schema | None = None,
    hints: Any = None,
) -> Iterator[Any]:
    """``as_page`` of every page, with consecutive Arrow pages combined up to ``batch_rows``.

    ``hints`` (``dlt.mark.make_hints``) go with the first item, so the declared column types reach
    the schema before any value is inferred."""
    items = _batched(pages, table_name, declared, lift, key, batch_rows, schema)
    if hints is not None:
        first = next(items, None)
        if first is not None:
            yield dlt.mark.with_hints(first, hints)
    yield from items


def _batched(
    pages: Iterable[list[dict[str, Any]]],
    table_name: str,
    declared: Mapping[str, str],
    lift: str | None,
    key: str | None,
    batch_rows: int,
    schema: Schema | None,
) -> Iterator[pa.Table | list[dict[str, Any]]]:
    batch: list[pa.Table] = []
    rows = 0
    for records in pages:
        page = as_page(records, table_name, declared, lift, key, schema)
        if isinstance(page, pa.Table):
            batch.append(page)
            rows += page.num_rows
            if rows < batch_rows:
                continue
        yield from _combined(batch)
        batch, rows = [], 0
        if not isinstance(page, pa.Table) and page:
            yield page
    yield from _combined(batch)


def _combined(tables: list[pa.Table]) -> Iterator[pa.Table]:
    if len(tables) <= 1:
        yield from tables
        return
    try:
        # pages may differ in columns (a field absent from a whole page): missing ones become null
        yield pa.concat_tables(tables, promote_options="default")
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        yield from tables


def as_page(
    records: list[dict[str, Any]],
    table_name: str,
    declared: Mapping[str, str],
    lift: str | None = None,
    key: str | None = None,
    schema: Schema | None = None,
) -> pa.Table | list[dict[str, Any]]:
    """``records`` as an Arrow table, or as dicts when Arrow cannot type them (see the module).

    Args:
        records: one page of an API answer.
        table_name: the raw table they load into (its known column types apply).
        declared: source field name -> dlt data type, for columns typed by the resource.
        lift: a field holding an object whose members become top-level columns (HubSpot's
            ``properties``); a member never replaces a top-level field of the same name.
        key: the primary key field, declared not null (as dlt declares it in the schema).
        schema: the dlt schema holding earlier runs' column types; default: the source's schema
            being extracted.
    """
    if not records:
        return records
    types = _known_types(schema or dlt.current.source_schema(), table_name, declared, key)
    table = _to_table(records, types, lift)
    if table is None:
        return _as_dicts(records, types, lift)
    return table


def _to_table(records: list[dict[str, Any]], types: _KnownTypes, lift: str | None) -> pa.Table | None:
    try:
        # not Table.from_pylist: it takes the columns from the first record only, dropping any
        # field the first record lacks; struct inference takes the union of every record's fields
        table = pa.Table.from_struct_array(pa.array(records))
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, OverflowError):
        return None
    if lift is not None and lift in table.column_names:
        table = _lift(table, lift)
    table = _flatten_objects(table)
    columns = []
    for field, column in zip(table.schema, table.columns):
        target = types.arrow_type(field.name)
        if target is None and pa.types.is_string(field.type):
            target = types.detected(column)
        if target is None:
            if pa.types.is_nested(field.type):
                return None  # nested data: dlt's own unnesting keeps the raw shape
            columns.append(column)
        elif field.type == target:
            columns.append(column)
        elif pa.types.is_null(field.type):
            columns.append(pa.nulls(len(table), target))
        else:
            try:
                columns.append(column.cast(target))
            except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
                return None
    fields = [
        pa.field(name, column.type, nullable=not (types.required(name) and column.null_count == 0))
        for name, column in zip(table.column_names, columns)
    ]
    return pa.Table.from_arrays(columns, schema=pa.schema(fields))


def _flatten_objects(table: pa.Table) -> pa.Table:
    """Object fields become one column per member, named ``field__member`` as dlt's row-by-row
    path names them (``sentBy.id`` -> ``sent_by__id``)."""
    while any(pa.types.is_struct(f.type) for f in table.schema):
        names, columns = [], []
        for field, column in zip(table.schema, table.columns):
            if pa.types.is_struct(field.type):
                members = pa.Table.from_arrays([column], names=[field.name]).flatten()
                names.extend(f"{field.name}__{member.name}" for member in field.type)
                columns.extend(members.columns)
            else:
                names.append(field.name)
                columns.append(column)
        table = pa.Table.from_arrays(columns, names=names)
    return table


def _lift(table: pa.Table, lift: str) -> pa.Table:
    nested = table.column(lift)
    rest = table.drop_columns([lift])
    if not pa.types.is_struct(nested.type):
        return rest
    prefix = lift + "."
    flat = pa.Table.from_arrays([nested], names=[lift]).flatten()
    for name, column in zip(flat.column_names, flat.columns):
        member = name[len(prefix):]
        if member not in rest.column_names:
            rest = rest.append_column(member, column)
    return rest


def _as_dicts(records: list[dict[str, Any]], types: _KnownTypes, lift: str | None) -> list[dict[str, Any]]:
    """The records for dlt's row-by-row path, with timestamp fields parsed: an Arrow page before
    it made the incremental cursor a datetime, and dlt compares cursor values across pages."""
    for record in records:
        if lift is not None:
            for name, value in (record.pop(lift, None) or {}).items():
                record.setdefault(name, value)
        for name in types.timestamps:
            value = record.get(name)
            if isinstance(value, str):
                try:
                    record[name] = datetime.fromisoformat(value.replace("Z", "+00:00"))
                except ValueError:
                    pass  # not a timestamp: dlt's schema contract decides about it
    return records


class _KnownTypes:
    """Column types of one table: declared by the resource, else learned by earlier runs."""

    def __init__(
        self,
        declared: Mapping[str, str],
        learned: Mapping[str, str],
        not_null: set[str],
        naming: Any,
        detections: Sequence[str],
    ) -> None:
        self.declared = declared
        self.learned = learned
        self.not_null = not_null
        self.naming = naming
        self.detections = detections
        self.timestamps: Sequence[str] = [name for name, kind in declared.items() if kind == "timestamp"]

    def arrow_type(self, field: str) -> pa.DataType | None:
        data_type = self.declared.get(field)
        if data_type is None and self.learned:
            data_type = self.learned.get(self.naming.normalize_path(field))
        return ARROW_TYPES.get(data_type) if data_type else None

    def required(self, field: str) -> bool:
        return field in self.not_null or self.naming.normalize_path(field) in self.not_null

    def detected(self, column: pa.ChunkedArray) -> pa.DataType | None:
        """The type dlt's schema detections (e.g. ISO timestamps) give a new text column's first
        value, as they would on the row-by-row path."""
        present = column.drop_null()
        if not self.detections or len(present) == 0:
            return None
        value = present[0].as_py()
        return ARROW_TYPES.get(autodetect_sc_type(self.detections, type(value), value))


def _known_types(schema: Schema, table_name: str, declared: Mapping[str, str], key: str | None) -> _KnownTypes:
    columns = schema.tables.get(table_name, {}).get("columns", {})
    learned = {
        name: column["data_type"]
        for name, column in columns.items()
        if "data_type" in column and not column.get("variant")
    }
    not_null = {name for name, column in columns.items() if column.get("nullable") is False}
    if key:
        not_null.add(key)
    return _KnownTypes(declared, learned, not_null, schema.naming, schema.settings.get("detections") or ())
