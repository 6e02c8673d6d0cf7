"""Running Relay's Dagster job in this process: what the demo command and the tests call.

A run covers one partition (the current day by default: the incremental run) or a range of days
(a backfill in one run, as ``BackfillPolicy.single_run`` plans it in the UI).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import dagster as dg

from orchestration.defs.quality import REPORT_TAG

PIPELINE_JOB = "relay_pipeline"
RANGE_START_TAG = "dagster/asset_partition_range_start"
RANGE_END_TAG = "dagster/asset_partition_range_end"


@dataclass
class PipelineRun:
    result: dg.ExecuteInProcessResult
    materialized: list[dg.AssetKey] = field(default_factory=list)
    checks: list[dg.AssetCheckEvaluation] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    """Readable step failures, for a user to act on."""

    @property
    def success(self) -> bool:
        return self.result.success

    @property
    def failed_checks(self) -> list[dg.AssetCheckEvaluation]:
        return [c for c in self.checks if not c.passed]

    quality_report: str | None = None
    """The data-quality summary page, as tagged on the run by the quality checks."""


def run_pipeline(
    definitions: dg.Definitions,
    instance: dg.DagsterInstance,
    partition_range: tuple[str, str] | None = None,
    asset_selection: Sequence[dg.AssetKey] | None = None,
    tags: dict[str, str] | None = None,
    log_level: str = "DEBUG",
) -> PipelineRun:
    """Run ``relay_pipeline`` for the current day, or for the days ``partition_range`` spans."""
    job = definitions.resolve_job_def(PIPELINE_JOB)
    run_tags = dict(tags or {})
    partition_key = None
    if partition_range is None:
        assert job.partitions_def is not None
        partition_key = job.partitions_def.get_last_partition_key()
    elif partition_range[0] == partition_range[1]:
        partition_key = partition_range[0]
    else:
        run_tags |= {RANGE_START_TAG: partition_range[0], RANGE_END_TAG: partition_range[1]}
    result = job.execute_in_process(
        instance=instance,
        partition_key=partition_key,
        raise_on_error=False,
        asset_selection=list(asset_selection) if asset_selection else None,
        tags=run_tags,
        run_config={"loggers": {"console": {"config": {"log_level": log_level}}}},
    )
    stored = instance.get_run_by_id(result.run_id)
    run = PipelineRun(result, quality_report=stored.tags.get(REPORT_TAG) if stored else None)
    for event in result.all_events:
        if event.event_type == dg.DagsterEventType.ASSET_MATERIALIZATION:
            run.materialized.append(event.asset_key)
        elif event.event_type == dg.DagsterEventType.ASSET_CHECK_EVALUATION:
            run.checks.append(event.event_specific_data)
        elif event.event_type == dg.DagsterEventType.STEP_FAILURE:
            error = event.event_specific_data.error
            cause = error
            while cause.cause is not None:
                cause = cause.cause
            run.failures.append(f"{event.step_key}: {cause.message.strip()}")
    return run
