"""What a table suite is made of: the rules one table must follow, and how they become a GX suite.

Severity decides what a failure does: ``critical`` blocks everything downstream of the table (the
Dagster check fails with ERROR severity), ``warning`` is reported but lets the run go on. Stale
data, a surprising change in row count and a source value no seed maps warn (real orgs rename
picklist values; the models carry such a value as ``unmapped``); a broken schema or a missing key
blocks.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import great_expectations as gx
import great_expectations.expectations as gxe

from expectations.suites.vocabularies import Vocabulary

CRITICAL = "critical"
SAMPLE_SIZE = 5
WARNING = "warning"


@dataclass(frozen=True)
class TableRules:
    """Expectations of one warehouse table, stated as data."""

    schema: str
    table: str
    columns: tuple[str, ...] = ()
    """Columns that must exist (more may: dlt adds columns as sources grow fields)."""
    key: str | None = None
    """Unique, never null."""
    not_null: tuple[str, ...] = ()
    accepted: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Column -> the only values it can hold (Relay's own codes, not a source's vocabulary);
    nulls are allowed (they are checked by ``not_null``). Blocking."""
    vocabularies: tuple[Vocabulary, ...] = ()
    """Source vocabularies mapped by a dbt seed: a value the seed lacks warns, with its count."""
    freshness_column: str | None = None
    """SQL expression giving a row's last change as a timestamp; the newest must be recent."""
    column_pairs_in_order: tuple[tuple[str, str], ...] = ()
    """(earlier, later): where both are set, later >= earlier."""
    unexpected_rows: tuple[tuple[str, str], ...] = ()
    """(description, SQL selecting offending rows from ``{batch}``): must select nothing."""
    track_row_count: bool = True

    @property
    def name(self) -> str:
        return f"{self.schema}.{self.table}"


@dataclass(frozen=True)
class SuiteSettings:
    """Thresholds that depend on the deployment, not on the table."""

    freshness_hours: int = 24 * 14
    max_row_count_drop: float = 0.0
    """Fraction by which a table may shrink between two loads (raw deletes are soft: 0)."""
    max_row_count_growth: float = 10.0
    """Factor by which a table may grow between two loads before it is called surprising."""


def build_suite(rules: TableRules, settings: SuiteSettings, previous_row_count: int | None) -> gx.ExpectationSuite:
    """The GX suite for one table; row-count bounds come from the previous load's count."""
    expectations: list = []
    if rules.columns:
        expectations.append(
            gxe.ExpectTableColumnsToMatchSet(column_set=list(rules.columns), exact_match=False, severity=CRITICAL)
        )
    if rules.key:
        expectations.append(gxe.ExpectColumnValuesToNotBeNull(column=rules.key, severity=CRITICAL))
        expectations.append(gxe.ExpectColumnValuesToBeUnique(column=rules.key, severity=CRITICAL))
    for column in rules.not_null:
        expectations.append(gxe.ExpectColumnValuesToNotBeNull(column=column, severity=CRITICAL))
    for column, values in rules.accepted.items():
        expectations.append(gxe.ExpectColumnValuesToBeInSet(column=column, value_set=list(values), severity=CRITICAL))
    for vocabulary in rules.vocabularies:
        expectations.append(
            gxe.UnexpectedRowsExpectation(
                description=vocabulary.description,
                unexpected_rows_query=vocabulary.unmapped_query(),
                severity=WARNING,
                meta={"seed": str(vocabulary.seed_path)},
            )
        )
    for earlier, later in rules.column_pairs_in_order:
        expectations.append(
            gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A=later,
                column_B=earlier,
                or_equal=True,
                ignore_row_if="either_value_is_missing",
                severity=CRITICAL,
            )
        )
    for description, query in rules.unexpected_rows:
        expectations.append(
            gxe.UnexpectedRowsExpectation(description=description, unexpected_rows_query=query, severity=CRITICAL)
        )
    if rules.freshness_column:
        # `now() - interval 'N hours'` reads the same in DuckDB and Postgres; an empty table is stale too.
        expectations.append(
            gxe.UnexpectedRowsExpectation(
                description=f"newest {rules.freshness_column} is within {settings.freshness_hours} hours",
                unexpected_rows_query=(
                    f"select max({rules.freshness_column}) as newest from {{batch}}"
                    f" having max({rules.freshness_column}) is null"
                    f" or max({rules.freshness_column}) < now() - interval '{settings.freshness_hours} hours'"
                ),
                severity=WARNING,
            )
        )
    expectations.append(gxe.ExpectTableRowCountToBeBetween(min_value=1, severity=CRITICAL))
    if rules.track_row_count and previous_row_count is not None:
        expectations.append(
            gxe.ExpectTableRowCountToBeBetween(
                min_value=int(previous_row_count * (1 - settings.max_row_count_drop)),
                max_value=max(int(previous_row_count * settings.max_row_count_growth), previous_row_count + 100),
                severity=WARNING,
                meta={"previous_row_count": previous_row_count},
            )
        )
    return gx.ExpectationSuite(name=rules.name, expectations=expectations)
