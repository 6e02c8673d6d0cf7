"""Relay's Dagster definitions, assembled from orchestration/defs/<integration>/.

Loaded by ``dagster dev`` through workspace.yaml and by the demo command. Nothing happens on
import: the dbt manifest is prepared and the environment read when Dagster loads ``defs``.
"""

from __future__ import annotations

import dagster as dg

from ingestion.pipelines.targets import target_name
from orchestration.defs import dbt, dlt, jobs, publish, quality
from orchestration.defs.dbt import MART_NAMES, mart_keys
from orchestration.defs.partitions import daily_partitions
from orchestration.defs.resources import relay_settings


def build_definitions() -> dg.Definitions:
    partitions = daily_partitions()
    settings = relay_settings()
    dbt_defs, dbt_assets_def = dbt.build_defs(partitions)
    marts = mart_keys(dbt_assets_def)
    by_name = {key.path[-1]: key for key in marts if key.path[-1] in MART_NAMES}
    quality_defs = quality.build_defs(by_name)
    return dg.Definitions.merge(
        dlt.build_defs(target_name(), partitions),
        dbt_defs,
        quality_defs,
        publish.build_defs(marts, partitions),
        jobs.build_defs(partitions, list(quality_defs.asset_checks or [])),
        dg.Definitions(resources={"relay": settings}),
    )


@dg.definitions
def defs() -> dg.Definitions:
    return build_definitions()
