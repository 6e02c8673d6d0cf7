"""dbt assets: every model, seed and snapshot of dbt_project/, built with ``dbt build`` so dbt's
tests run as Dagster asset checks. The run's partition window reaches the models as dbt vars
``relay_window_start`` / ``relay_window_end`` (ISO timestamps)."""


import json
from collections.abc import Iterator

import dagster as dg
from dagster import AssetExecutionContext
from dagster_dbt import DbtCliResource, dbt_assets, get_asset_key_for_model

from orchestration.defs.dbt.project import dbt_project, keep_partial_parse, run_target_path
from orchestration.defs.dbt.translator import RelayDbtTranslator
from orchestration.defs.partitions import daily_partitions
from orchestration.defs.resources import RelaySettings

# Semantic-layer helpers (the time spine) are built but are no mart BI reads.
MART_NAMES = (
    "dim_people",
    "dim_accounts",
    "dim_campaigns",
    "dim_users",
    "dim_date",
    "fct_touches",
    "fct_funnel",
    "fct_opportunities",
    "fct_opportunity_history",
    "fct_lead_handoffs",
    "fct_attribution",
    "mart_funnel_kpis",
    "mart_campaign_performance",
)


def window_vars(context: AssetExecutionContext) -> dict[str, str]:
    if not context.has_partition_key_range:
        return {}
    window = context.partition_time_window
    return {"relay_window_start": window.start.isoformat(), "relay_window_end": window.end.isoformat()}


def _relay_dbt_assets(partitions: dg.PartitionsDefinition) -> dg.AssetsDefinition:
    project = dbt_project()

    @dbt_assets(
        manifest=project.manifest_path,
        project=project,
        dagster_dbt_translator=RelayDbtTranslator(),
        partitions_def=partitions,
        backfill_policy=dg.BackfillPolicy.single_run(),
        name="relay_dbt",
        op_tags={"relay/kind": "transformation"},
    )
    def _assets(context: AssetExecutionContext, dbt: DbtCliResource, relay: RelaySettings) -> Iterator:
        relay.export_for_dbt()
        args = ["build"]
        variables = window_vars(context)
        if variables:
            args += ["--vars", json.dumps(variables)]
        target = run_target_path(context.run.run_id)
        yield from dbt.cli(args, context=context, target_path=target).stream()
        keep_partial_parse(target)

    return _assets


def mart_keys(dbt_assets_def: dg.AssetsDefinition) -> list[dg.AssetKey]:
    """The marts BI reads, looked up in the manifest (a mart not built yet is skipped)."""
    keys = []
    for name in MART_NAMES:
        try:
            keys.append(get_asset_key_for_model([dbt_assets_def], name))
        except KeyError:  # the model is not in this project (yet)
            continue
    return keys


def build_defs(partitions: dg.PartitionsDefinition | None = None) -> tuple[dg.Definitions, dg.AssetsDefinition]:
    assets = _relay_dbt_assets(partitions or daily_partitions())
    return (
        dg.Definitions(assets=[assets], resources={"dbt": DbtCliResource(project_dir=dbt_project())}),
        assets,
    )
