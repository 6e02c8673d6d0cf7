"""A GX SQL datasource for DuckDB files that keeps one connection open while it validates.

Upstream problem (GX Core 1.24, duckdb-engine 0.17): ``SqlAlchemyExecutionEngine.execute_query``
returns a result from inside ``with self.get_connection()`` and the caller fetches it after the
block has ended. For most dialects the connection goes back to the pool with its rows already
buffered; for duckdb-engine the pool's reset-on-return (a rollback on the DuckDB connection)
discards the unfetched result, so ``fetchall()`` sees nothing and every metric fails with
``IndexError: list index out of range``. GX already keeps a persisted connection for dialects
that need one (sqlite, SQL Server, BigQuery, Databricks: ``_PERSISTED_CONNECTION_DIALECTS``);
DuckDB needs the same, and this module gives it that through GX's public extension points (a
Datasource subclass registers itself as ``context.data_sources.add_or_update_duckdb``; its
``execution_engine_type`` is an engine whose ``get_connection`` keeps the connection), instead of
patching GX's private tuple. Covered by tests/orchestration/test_gx_duckdb.py, which fails as
soon as this stops being needed or stops working. Remove it when GX persists DuckDB connections.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Literal

import sqlalchemy
from great_expectations.datasource.fluent import SQLDatasource
from great_expectations.execution_engine import SqlAlchemyExecutionEngine


class DuckDBExecutionEngine(SqlAlchemyExecutionEngine):
    """Runs every query of one validation on a single connection that stays open until close()."""

    _persisted: sqlalchemy.Connection | None = None

    @contextmanager
    def get_connection(self) -> Iterator[sqlalchemy.Connection]:
        if self._persisted is None or self._persisted.closed:
            self._persisted = self.engine.connect()
        yield self._persisted

    def close(self) -> None:
        # The warehouse file stays locked while a connection is open: release it when GX is done.
        if self._persisted is not None:
            self._persisted.close()
            self._persisted = None
        super().close()


class DuckDBDatasource(SQLDatasource):
    """``SQLDatasource`` over a DuckDB file (``duckdb:///path``) using ``DuckDBExecutionEngine``."""

    type: Literal["duckdb"] = "duckdb"  # type: ignore[assignment]  # GX's discriminator, as its own subclasses do

    @property
    def execution_engine_type(self) -> type[SqlAlchemyExecutionEngine]:
        return DuckDBExecutionEngine
