"""The published warehouse BI reads: built after the marts and their blocking checks pass.

If anything upstream fails (a load, a dbt model or test, a blocking GX check), this asset does not
run and the last publication stays as it was (see orchestration/publication.py).
"""


import os

import dagster as dg
from dagster import AssetExecutionContext

from ingestion.pipelines.targets import PG_DEFAULTS
from orchestration.defs.quality import REPORT_TAG
from orchestration.defs.resources import RelaySettings
from orchestration.publication import publish_duckdb, publish_postgres

PUBLISHED_KEY = dg.AssetKey(["published", "warehouse"])


def pg_connection():
    import psycopg2

    settings = {key: os.environ.get(key, default) for key, default in PG_DEFAULTS.items()}
    return psycopg2.connect(
        host=settings["RELAY_PG_HOST"],
        port=int(settings["RELAY_PG_PORT"]),
        user=settings["RELAY_PG_USER"],
        password=settings["RELAY_PG_PASSWORD"] or None,
        dbname=settings["RELAY_PG_DATABASE"],
    )


def build_defs(mart_keys: list[dg.AssetKey], partitions: dg.PartitionsDefinition | None) -> dg.Definitions:
    @dg.asset(
        key=PUBLISHED_KEY,
        deps=mart_keys,
        partitions_def=partitions,
        backfill_policy=dg.BackfillPolicy.single_run() if partitions else None,
        group_name="published",
        kinds={"duckdb"},
        description="The marts as BI reads them: a read-only DuckDB file swapped in atomically, or a Postgres schema swap.",
    )
    def published_warehouse(context: AssetExecutionContext, relay: RelaySettings) -> dg.MaterializeResult:
        if relay.target_name() == "duckdb":
            publication = publish_duckdb(relay.warehouse_path(), relay.publication_path(), run_id=context.run_id)
        else:
            publication = publish_postgres(pg_connection, run_id=context.run_id)
        context.log.info(f"published {len(publication.tables)} tables to {publication.location}")
        metadata: dict[str, object] = {
            "location": dg.MetadataValue.path(publication.location),
            "published_at": publication.published_at,
            "tables": dg.MetadataValue.json(publication.tables),
        }
        report = context.instance.get_run_by_id(context.run_id).tags.get(REPORT_TAG)
        if report:
            metadata["quality_report"] = dg.MetadataValue.path(report)
        return dg.MaterializeResult(metadata=metadata)

    return dg.Definitions(assets=[published_warehouse])
