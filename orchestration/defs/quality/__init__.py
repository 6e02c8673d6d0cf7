"""Great Expectations suites as Dagster asset checks: one check per table, blocking.

``raw_quality`` validates the raw tables after the dlt loads (the dbt models wait for it);
``marts_quality`` validates the marts after dbt (publishing waits for it). Each run rebuilds the
Data Docs site and the one-page summary, whose location lands in the check metadata and the run's
tags (``relay/quality_report``).
"""


import os
from collections.abc import Callable, Iterator, Sequence

import dagster as dg
from dagster import AssetCheckExecutionContext

from expectations.asset_checks import CHECK_NAME, asset_check_results
from expectations.report import write_report
from expectations.suites import MART_TABLES, RAW_TABLES, SuiteSettings, TableRules
from expectations.validation import validate
from orchestration.defs.dlt.translator import raw_asset_key
from orchestration.defs.resources import RelaySettings

REPORT_TAG = "relay/quality_report"


def suite_settings() -> SuiteSettings:
    """Thresholds from the environment: ``RELAY_FRESHNESS_HOURS`` (default two weeks)."""
    default = SuiteSettings()
    hours = os.environ.get("RELAY_FRESHNESS_HOURS")
    try:
        return SuiteSettings(freshness_hours=int(hours)) if hours else default
    except ValueError:
        raise ValueError(f"RELAY_FRESHNESS_HOURS must be a whole number of hours, got {hours!r}") from None


def _check(
    name: str,
    tables: Sequence[TableRules],
    key_for: Callable[[TableRules], dg.AssetKey],
    description: str,
) -> dg.AssetChecksDefinition:
    by_key = {key_for(t): t for t in tables}
    specs = [
        dg.AssetCheckSpec(CHECK_NAME, asset=key, blocking=True, description=f"GX suite {t.name}")
        for key, t in by_key.items()
    ]

    @dg.multi_asset_check(specs=specs, name=name, can_subset=True, description=description)
    def _validate(context: AssetCheckExecutionContext, relay: RelaySettings) -> Iterator[dg.AssetCheckResult]:
        selected = [by_key[check.asset_key] for check in context.selected_asset_check_keys]
        root = relay.quality_root()
        run = validate(selected, run_id=context.run.run_id, settings=suite_settings(), root=root, checkpoint_name=name)
        report = write_report(root)
        context.instance.add_run_tags(context.run.run_id, {REPORT_TAG: str(report)})
        context.log.info(f"data-quality report: {report}; Data Docs: {run.data_docs}")
        keys = {t.name: key for key, t in by_key.items()}
        yield from asset_check_results(run, lambda table: keys[table], report)

    return _validate


def build_defs(mart_keys: dict[str, dg.AssetKey]) -> dg.Definitions:
    """``mart_keys``: mart name -> its asset key, looked up in the dbt manifest."""
    raw = _check(
        "raw_quality",
        RAW_TABLES,
        lambda t: raw_asset_key(t.schema, t.table),
        "Schemas, keys, vocabularies, freshness and row-count change of the raw tables.",
    )
    marts = _check(
        "marts_quality",
        [t for t in MART_TABLES if t.table in mart_keys],
        lambda t: mart_keys[t.table],
        "Funnel order, attribution sums and orphan opportunities in the marts.",
    )
    return dg.Definitions(asset_checks=[raw, marts])
