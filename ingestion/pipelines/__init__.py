"""Building and running Relay's ingestion pipelines.

``make_source`` and ``make_pipeline`` are what an orchestrator wraps (dagster-dlt takes both);
``run`` is what the CLI calls: it loads one or more sources into the configured target, shows
progress, and turns failures into an ``IngestionError`` with a message a user can act on.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import dlt
from dlt.common.pipeline import LoadInfo
from dlt.common.runtime.collector import Collector
from dlt.common.pipeline import get_dlt_pipelines_dir
from dlt.sources import DltSource

from ingestion.pipelines.errors import IngestionError, explain, refused_by_contract
from ingestion.pipelines.progress import make_progress
from ingestion.pipelines.replays import remove_replayed_rows
from ingestion.pipelines.targets import Target, TargetConfigError, make_target

SOURCES = ("salesforce", "hubspot")
DATASETS = {"salesforce": "raw_salesforce", "hubspot": "raw_hubspot"}
PIPELINES_DIR_ENV = "RELAY_PIPELINES_DIR"

__all__ = [
    "DATASETS",
    "SOURCES",
    "IngestionError",
    "TargetConfigError",
    "make_pipeline",
    "make_source",
    "pipeline_name",
    "finish_pending",
    "remove_replayed_rows",
    "run",
]


def pipeline_name(source: str) -> str:
    return f"relay_{source}"


def make_source(source: str) -> DltSource:
    """The configured dlt source (credentials and base URL from dlt config / environment)."""
    if source == "salesforce":
        from ingestion.salesforce import salesforce_source

        return salesforce_source()
    if source == "hubspot":
        from ingestion.hubspot import hubspot_source

        return hubspot_source()
    raise ValueError(f"unknown source {source!r}; choose one of: {', '.join(SOURCES)}")


def pipelines_dir(target: Target) -> Path:
    """dlt's working dirs: ``RELAY_PIPELINES_DIR`` (default: dlt's own), one folder per warehouse."""
    base = os.environ.get(PIPELINES_DIR_ENV) or get_dlt_pipelines_dir()
    return Path(base) / target.working_dir_key


def make_pipeline(
    source: str,
    target: str | None = None,
    progress: Collector | str | None = None,
) -> dlt.Pipeline:
    """The pipeline loading ``source`` into ``target`` (default from ``RELAY_TARGET``)."""
    if source not in SOURCES:
        raise ValueError(f"unknown source {source!r}; choose one of: {', '.join(SOURCES)}")
    resolved = make_target(target)
    return dlt.pipeline(
        pipeline_name=pipeline_name(source),
        pipelines_dir=str(pipelines_dir(resolved)),
        destination=resolved.destination,
        dataset_name=DATASETS[source],
        progress=progress,
    )


def finish_pending(pipeline: dlt.Pipeline) -> None:
    """Finish what a previous run left: packages extracted but not loaded (a crash, a kill) are
    normalized and loaded first, then rows a replayed load job staged twice are removed. dlt's own
    run() would only finish them and skip the new extraction, so every caller does this first."""
    if pipeline.has_pending_data:
        pipeline.normalize()
        pipeline.load()
        remove_replayed_rows(pipeline)


def run(
    sources: Sequence[str] = SOURCES,
    target: str | None = None,
    full_refresh: bool = False,
    progress: bool | Collector = True,
) -> list[LoadInfo]:
    """Load each source into the target; raises ``IngestionError`` if any source failed.

    Sources load independently: one failing does not stop the others, and the error names every
    failed source. A previous run's packages that were extracted but not loaded (crash, kill) are
    normalized and loaded first: that is dlt's resume, and with merge on primary keys it neither
    loses nor duplicates rows. ``full_refresh`` drops the source's tables and incremental state
    first. ``progress``: report progress on stderr (True), not at all (False), or to a collector.
    """
    infos: list[LoadInfo] = []
    failures: list[IngestionError] = []
    for source in sources:
        name = pipeline_name(source)
        pipeline = None
        try:
            collector = progress if isinstance(progress, Collector) else make_progress(progress)
            pipeline = make_pipeline(source, target, progress=collector)
            finish_pending(pipeline)
            info = pipeline.run(make_source(source), refresh="drop_sources" if full_refresh else None)
            remove_replayed_rows(pipeline)
        except TargetConfigError:
            raise
        except Exception as exc:  # every failure leaves as one readable message
            error = explain(name, exc)
            if pipeline is not None and refused_by_contract(exc):
                # The refused data sits in an extracted package that would be retried (and refused)
                # forever; dropping it leaves the committed state, so the next run reads it again.
                pipeline.abort_packages()
            failures.append(error)
            continue
        infos.append(info)
    if failures:
        raise IngestionError.combined(failures)
    return infos
