"""Jobs and schedules.

- ``relay_pipeline``: everything, from the API objects to the published warehouse, with every
  check. Daily-partitioned; a run over the current day is the incremental run, a run over past
  days re-loads those days (backfill).
- ``quality_sweep``: every Great Expectations check over the whole warehouse, nothing rebuilt.
- ``hourly_incremental`` (``RELAY_HOURLY_CRON``, default ``0 * * * *``) runs ``relay_pipeline`` for
  the current day; ``nightly_quality_sweep`` (``RELAY_NIGHTLY_CRON``, default ``0 2 * * *``) runs
  ``quality_sweep``. Both in ``RELAY_SCHEDULE_TIMEZONE`` (default UTC); they start running when
  ``RELAY_SCHEDULES_RUNNING=1``, else they wait to be switched on in the UI.

Transient failures: each step is retried (``RELAY_STEP_RETRIES``, default 2, with exponential
backoff) and scheduled runs carry Dagster's run-retry tags (``RELAY_RUN_RETRIES``, default 2;
honoured when the instance enables run retries, see dagster.yaml).
"""


from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence

import dagster as dg


def _retry_policy() -> dg.RetryPolicy | None:
    retries = int(os.environ.get("RELAY_STEP_RETRIES", "2"))
    if retries <= 0:
        return None
    return dg.RetryPolicy(max_retries=retries, delay=5, backoff=dg.Backoff.EXPONENTIAL)


def run_retry_tags() -> dict[str, str]:
    return {"dagster/max_retries": os.environ.get("RELAY_RUN_RETRIES", "2"), "dagster/retry_strategy": "FROM_FAILURE"}


def pipeline_job(partitions: dg.PartitionsDefinition):
    return dg.define_asset_job(
        "relay_pipeline",
        selection=dg.AssetSelection.all(),
        partitions_def=partitions,
        op_retry_policy=_retry_policy(),
        description="Load Salesforce and HubSpot, build the models, check everything, publish for BI.",
    )


def quality_sweep_job(gx_checks: Sequence[dg.AssetChecksDefinition]):
    return dg.define_asset_job(
        "quality_sweep",
        selection=dg.AssetSelection.checks(*gx_checks),
        description="Every Great Expectations check over the warehouse as it is.",
    )


def build_defs(partitions: dg.TimeWindowPartitionsDefinition, gx_checks: Sequence[dg.AssetChecksDefinition]) -> dg.Definitions:
    pipeline = pipeline_job(partitions)
    sweep = quality_sweep_job(gx_checks)
    timezone = os.environ.get("RELAY_SCHEDULE_TIMEZONE") or "UTC"
    status = (
        dg.DefaultScheduleStatus.RUNNING
        if os.environ.get("RELAY_SCHEDULES_RUNNING") == "1"
        else dg.DefaultScheduleStatus.STOPPED
    )

    @dg.schedule(
        name="hourly_incremental",
        cron_schedule=os.environ.get("RELAY_HOURLY_CRON") or "0 * * * *",
        job=pipeline,
        execution_timezone=timezone,
        default_status=status,
    )
    def hourly_incremental(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
        now = context.scheduled_execution_time or dt.datetime.now(dt.UTC)
        # The day the tick falls on: with end_offset=1 that is the partitions' last (current) day.
        day = partitions.get_partition_key_for_timestamp(now.timestamp())
        return dg.RunRequest(run_key=f"{day}@{now.isoformat()}", partition_key=day, tags=run_retry_tags())

    nightly = dg.ScheduleDefinition(
        name="nightly_quality_sweep",
        cron_schedule=os.environ.get("RELAY_NIGHTLY_CRON") or "0 2 * * *",
        job=sweep,
        execution_timezone=timezone,
        default_status=status,
        tags=run_retry_tags(),
    )
    return dg.Definitions(jobs=[pipeline, sweep], schedules=[hourly_incremental, nightly])
