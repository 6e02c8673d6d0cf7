"""The adapter from GX validation outcomes to Dagster asset-check results.

One Dagster check per table (``great_expectations``): it passes when every expectation passes;
a failed ``critical`` expectation fails it with ERROR severity (blocking, where the check spec is
blocking), failed ``warning`` expectations alone fail it with WARN severity.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import dagster as dg

from expectations.validation import TableOutcome, ValidationRun

CHECK_NAME = "great_expectations"


def asset_check_results(
    run: ValidationRun,
    asset_key_for: Callable[[str], dg.AssetKey],
    report: Path | None = None,
) -> Iterator[dg.AssetCheckResult]:
    for table in run.tables:
        yield dg.AssetCheckResult(
            asset_key=asset_key_for(table.table),
            check_name=CHECK_NAME,
            passed=not table.failed,
            severity=dg.AssetCheckSeverity.ERROR if table.blocking else dg.AssetCheckSeverity.WARN,
            description=_describe(table),
            metadata=_metadata(table, run, report),
        )


def _describe(table: TableOutcome) -> str:
    if not table.failed:
        return f"all {len(table.outcomes)} expectations passed"
    return "failed: " + "; ".join(f"{o.expectation} [{o.severity}]" for o in table.failed)


def _metadata(table: TableOutcome, run: ValidationRun, report: Path | None) -> dict[str, dg.MetadataValue]:
    metadata: dict[str, dg.MetadataValue] = {
        "expectations": dg.MetadataValue.int(len(table.outcomes)),
        "failed_expectations": dg.MetadataValue.int(len(table.failed)),
        "status": dg.MetadataValue.text(table.status),
    }
    if table.row_count is not None:
        metadata["row_count"] = dg.MetadataValue.int(table.row_count)
    if table.failed:
        metadata["failures"] = dg.MetadataValue.json(
            [
                {
                    "expectation": o.expectation,
                    "severity": o.severity,
                    "unexpected_count": o.unexpected_count,
                    "observed": o.observed,
                    "sample": o.sample,
                    "error": o.error,
                }
                for o in table.failed
            ]
        )
    if run.data_docs is not None:
        metadata["data_docs"] = dg.MetadataValue.path(str(run.data_docs))
    if report is not None:
        metadata["quality_report"] = dg.MetadataValue.path(str(report))
    return metadata
