"""Asset keys for raw tables: ``[dataset, table]``, exactly the ``meta.dagster.asset_key`` of the
dbt sources (dbt_project/models/staging/*/_*__sources.yml), so dlt assets and dbt models form one
lineage graph."""

from __future__ import annotations

import dagster as dg
from dagster_dlt import DagsterDltTranslator
from dagster_dlt.translator import DltResourceTranslatorData

from ingestion.pipelines import DATASETS


def raw_asset_key(dataset: str, table: str) -> dg.AssetKey:
    return dg.AssetKey([dataset, table])


class RelayDltTranslator(DagsterDltTranslator):
    def get_asset_spec(self, data: DltResourceTranslatorData) -> dg.AssetSpec:
        default = super().get_asset_spec(data)
        dataset = DATASETS[data.resource.source_name]
        return default.replace_attributes(
            key=raw_asset_key(dataset, str(data.resource.table_name)),
            group_name=dataset,
            # Raw tables are loaded by the source's pipeline, not derived from other assets.
            deps=[],
            kinds={"dlt", data.destination.destination_name if data.destination else "duckdb"},
        )
