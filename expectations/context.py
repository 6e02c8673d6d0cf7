"""The one place that builds the Great Expectations context and the warehouse datasource.

The context is file-backed under the quality directory (``RELAY_QUALITY_DIR``, default
``data/quality``): suites, validation results and the Data Docs site live there, so ops can browse
results across runs. The datasource points at the warehouse Relay's environment names
(``RELAY_TARGET``, ``RELAY_DUCKDB_PATH``, ``RELAY_PG_*``); validations run as SQL inside it.
"""

from __future__ import annotations

import os
from pathlib import Path

import great_expectations as gx
from great_expectations.data_context import FileDataContext
from great_expectations.data_context.types.base import ProgressBarsConfig
from great_expectations.datasource.fluent import SQLDatasource

# Imported for its side effect too: GX registers the "duckdb" datasource type when it is defined.
from expectations.duckdb_datasource import DuckDBDatasource
from ingestion.pipelines.targets import PG_DEFAULTS, REPO_ROOT, duckdb_path, target_name

DATASOURCE_NAME = "warehouse"


def quality_dir() -> Path:
    """Where the GX project, the run history and the summary report live."""
    path = Path(os.environ.get("RELAY_QUALITY_DIR") or REPO_ROOT / "data" / "quality")
    return path if path.is_absolute() else REPO_ROOT / path


def get_context(root: Path | None = None) -> FileDataContext:
    root = root or quality_dir()
    root.mkdir(parents=True, exist_ok=True)
    context = gx.get_context(mode="file", project_root_dir=str(root))
    assert isinstance(context, FileDataContext)
    bars = context.variables.progress_bars
    enabled = bars.get("globally", True) if isinstance(bars, dict) else getattr(bars, "globally", True)
    if bars is None or enabled:
        # Per-metric progress bars drown the run's own log; Dagster reports progress instead.
        context.variables.progress_bars = ProgressBarsConfig(globally=False)
        context.variables.save()
    return context


def warehouse_datasource(context: FileDataContext, target: str | None = None) -> SQLDatasource:
    """The warehouse as a fresh GX datasource (no assets yet); secrets stay out of GX's files."""
    if DATASOURCE_NAME in context.data_sources.all():
        context.data_sources.delete(DATASOURCE_NAME)
    if target_name(target) == "duckdb":
        path = duckdb_path()
        if not path.exists():
            raise FileNotFoundError(f"no warehouse at {path} (RELAY_DUCKDB_PATH): load it before validating")
        datasource = DuckDBDatasource(
            name=DATASOURCE_NAME,
            connection_string=f"duckdb:///{path}",
            # Read-only: validation never writes, and so never holds the write lock.
            kwargs={"connect_args": {"read_only": True}},
        )
        return context.data_sources.add_or_update_duckdb(datasource=datasource)
    settings = {key: os.environ.get(key, default) for key, default in PG_DEFAULTS.items()}
    # ${RELAY_PG_PASSWORD} is substituted by GX at connect time; the password never reaches its files.
    password = ":${RELAY_PG_PASSWORD}" if settings["RELAY_PG_PASSWORD"] else ""
    url = (
        f"postgresql+psycopg2://{settings['RELAY_PG_USER']}{password}@{settings['RELAY_PG_HOST']}:"
        f"{settings['RELAY_PG_PORT']}/{settings['RELAY_PG_DATABASE']}"
    )
    return context.data_sources.add_or_update_postgres(name=DATASOURCE_NAME, connection_string=url)
