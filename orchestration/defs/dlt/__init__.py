"""dlt assets: one multi-asset per source (Salesforce, HubSpot), one asset per raw table.

The sources and pipelines used here at definition time only describe the assets (names, tables,
destination type) and carry no credentials; the configured ones are built when the assets run, from
dlt's configuration and Relay's environment (``ingestion.pipelines``).
"""


import tempfile
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
from dagster import AssetExecutionContext
import dlt
from dagster_dlt import DagsterDltResource, dlt_assets
from dlt.sources import DltSource

from ingestion.pipelines import (
    DATASETS,
    SOURCES,
    finish_pending,
    make_pipeline,
    make_source,
    pipeline_name,
    remove_replayed_rows,
)
from orchestration.defs.dlt.translator import RelayDltTranslator, raw_asset_key
from orchestration.defs.dlt.windows import restrict_to_window
from orchestration.defs.partitions import daily_partitions, is_current
from orchestration.defs.resources import RelaySettings

PLACEHOLDER_URL = "https://configured-at-run-time.invalid"


def _describing_source(source: str) -> DltSource:
    """The source's resources, for asset specs only: placeholder config, nothing is requested."""
    if source == "salesforce":
        from ingestion.salesforce import salesforce_source

        return salesforce_source(base_url=PLACEHOLDER_URL, client_id="", client_secret="")
    from ingestion.hubspot import hubspot_source

    return hubspot_source(base_url=PLACEHOLDER_URL, access_token="")


def _one_resource_per_table(source: DltSource) -> DltSource:
    """Resources writing a table another resource already writes (HubSpot's ``*_archived``) are
    part of that table's asset, not assets of their own."""
    seen: set[str] = set()
    primary = []
    for name, resource in source.resources.items():
        if resource.table_name not in seen:
            seen.add(str(resource.table_name))
            primary.append(name)
    return source.with_resources(*primary)


def _describing_pipeline(source: str, destination: str) -> dlt.Pipeline:
    return dlt.pipeline(
        pipeline_name=pipeline_name(source),
        pipelines_dir=str(Path(tempfile.gettempdir()) / "relay-dagster-asset-specs"),
        destination=destination,
        dataset_name=DATASETS[source],
    )


def _dlt_source_assets(source: str, destination: str, partitions: dg.PartitionsDefinition) -> dg.AssetsDefinition:
    spec_source = _one_resource_per_table(_describing_source(source))

    @dlt_assets(
        dlt_source=spec_source,
        dlt_pipeline=_describing_pipeline(source, destination),
        name=f"{source}_raw",
        dagster_dlt_translator=RelayDltTranslator(),
        partitions_def=partitions,
        backfill_policy=dg.BackfillPolicy.single_run(),
        op_tags={"relay/kind": "ingestion"},
    )
    def _assets(context: AssetExecutionContext, dlt: DagsterDltResource, relay: RelaySettings) -> Iterator:
        pipeline = make_pipeline(source, relay.target_name(), progress="log")
        # The same crash recovery as the CLI's runner: a killed run's packages load first.
        finish_pending(pipeline)
        window = context.partition_time_window if context.has_partition_key_range else None
        full = make_source(source)
        if window is not None and not is_current(window):
            context.log.info(f"re-loading {source} changes in [{window.start}, {window.end})")
            full = restrict_to_window(full, window.start, window.end)
        selected_tables = {key.path[-1] for key in context.selected_asset_keys}
        primary = _one_resource_per_table(full)
        siblings = [
            name
            for name, resource in full.resources.items()
            if name not in primary.selected_resources and resource.table_name in selected_tables
        ]
        if siblings:
            # dagster-dlt maps resources to assets one-to-one: load the sibling resources first
            # (their rows land in the same tables) and report the tables once, below.
            for _ in dlt.run(context=context, dlt_source=full.with_resources(*siblings), dlt_pipeline=pipeline):
                pass
            full = make_source(source)
            if window is not None and not is_current(window):
                full = restrict_to_window(full, window.start, window.end)
        yield from dlt.run(context=context, dlt_source=_one_resource_per_table(full), dlt_pipeline=pipeline)
        remove_replayed_rows(pipeline)

    return _assets


def build_defs(destination: str, partitions: dg.PartitionsDefinition | None = None) -> dg.Definitions:
    partitions = partitions or daily_partitions()
    return dg.Definitions(
        assets=[_dlt_source_assets(source, destination, partitions) for source in SOURCES],
        resources={"dlt": DagsterDltResource()},
    )


__all__ = ["build_defs", "raw_asset_key"]
