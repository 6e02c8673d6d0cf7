"""Validate warehouse tables against their suites, in the warehouse, and describe the outcome.

One call validates a group of tables through one GX checkpoint, then rebuilds the Data Docs
site's pages for them, records the outcome in the quality history and returns plain dataclasses that the Dagster
adapter and the summary report read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import great_expectations as gx
import sqlalchemy
from great_expectations.data_context.types.resource_identifiers import ExpectationSuiteIdentifier

from expectations.context import get_context, quality_dir, warehouse_datasource
from expectations.history import History, TableRecord
from expectations.suites import CRITICAL, SuiteSettings, TableRules, build_suite
from expectations.suites.rules import SAMPLE_SIZE


@dataclass
class ExpectationOutcome:
    expectation: str
    """A readable name: the GX type and its column(s), or the description given in the suite."""
    severity: str
    success: bool
    observed: Any = None
    unexpected_count: int | None = None
    sample: list[Any] = field(default_factory=list)
    error: str | None = None


@dataclass
class TableOutcome:
    table: str
    outcomes: list[ExpectationOutcome]
    row_count: int | None = None

    @property
    def failed(self) -> list[ExpectationOutcome]:
        return [o for o in self.outcomes if not o.success]

    @property
    def blocking(self) -> bool:
        return any(o.severity == CRITICAL for o in self.failed)

    @property
    def status(self) -> str:
        if self.blocking:
            return "failed"
        return "warning" if self.failed else "passed"


@dataclass
class ValidationRun:
    run_id: str
    tables: list[TableOutcome]
    data_docs: Path | None

    @property
    def blocking(self) -> bool:
        return any(t.blocking for t in self.tables)


def validate(
    tables: Sequence[TableRules],
    run_id: str,
    settings: SuiteSettings | None = None,
    root: Path | None = None,
    checkpoint_name: str = "relay",
) -> ValidationRun:
    """Validate ``tables`` in the warehouse; the history and Data Docs under ``root`` are updated."""
    settings = settings or SuiteSettings()
    root = root or quality_dir()
    history = History(root)
    context = get_context(root)
    datasource = warehouse_datasource(context)
    definitions = []
    missing: dict[str, TableOutcome] = {}
    try:
        inspector = sqlalchemy.inspect(datasource.get_engine())
        for rules in tables:
            if not inspector.has_table(rules.table, schema=rules.schema):
                missing[rules.name] = TableOutcome(
                    rules.name,
                    [ExpectationOutcome("table exists", CRITICAL, False, error=f"{rules.name} is not in the warehouse")],
                )
                continue
            asset = datasource.add_table_asset(name=rules.name, table_name=rules.table, schema_name=rules.schema)
            batch = asset.add_batch_definition_whole_table("whole table")
            suite = context.suites.add_or_update(build_suite(rules, settings, history.previous_row_count(rules.name)))
            definitions.append(
                context.validation_definitions.add_or_update(
                    gx.ValidationDefinition(name=rules.name, data=batch, suite=suite)
                )
            )
        present = [rules for rules in tables if rules.name not in missing]
        by_suite = {}
        if present:
            checkpoint = context.checkpoints.add_or_update(
                gx.Checkpoint(
                    name=checkpoint_name,
                    validation_definitions=definitions,
                    # Column rules report a sample of failing values, never every failing value.
                    result_format={"result_format": "SUMMARY", "partial_unexpected_count": SAMPLE_SIZE},
                )
            )
            result = checkpoint.run(run_id=gx.RunIdentifier(run_name=run_id))
            # One Data Docs build for the whole checkpoint: GX's UpdateDataDocsAction rebuilds the
            # site (templates and index) once per table, most of a small run's validation time.
            context.build_data_docs(
                resource_identifiers=[
                    identifier
                    for key, suite_result in result.run_results.items()
                    for identifier in (key, ExpectationSuiteIdentifier(name=suite_result.suite_name))
                ]
            )
            by_suite = {r.suite_name: r for r in result.run_results.values()}
        checked = [_table_outcome(rules.name, by_suite[rules.name]) for rules in present]
        _sample_unexpected_rows(datasource.get_engine(), present, by_suite, checked)
        outcomes = [missing.get(rules.name) or checked.pop(0) for rules in tables]
    finally:
        # Both engines GX made (the datasource's, for connection tests and reflection, and the
        # execution engine's) hold the warehouse open until disposed: a DuckDB file stays locked.
        datasource.get_execution_engine().close()
        datasource.get_engine().dispose()
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    history.append(
        [
            TableRecord(
                run_id,
                now,
                t.table,
                t.status,
                t.row_count,
                [
                    {"expectation": o.expectation, "severity": o.severity, "unexpected_count": o.unexpected_count, "sample": o.sample}
                    for o in t.failed
                ],
            )
            for t in outcomes
        ]
    )
    return ValidationRun(run_id, outcomes, data_docs_index(root))


def data_docs_index(root: Path | None = None) -> Path | None:
    index = (root or quality_dir()) / "gx" / "uncommitted" / "data_docs" / "local_site" / "index.html"
    return index if index.exists() else None


def _table_outcome(table: str, suite_result: Any) -> TableOutcome:
    outcomes: list[ExpectationOutcome] = []
    row_count: int | None = None
    for result in suite_result.results:
        config = result.expectation_config
        details = result.result or {}
        if config.type == "expect_table_row_count_to_be_between" and details.get("observed_value") is not None:
            row_count = int(details["observed_value"])
        info = result.exception_info or {}
        error = info.get("exception_message") if info.get("raised_exception") else _first_exception(info)
        outcomes.append(
            ExpectationOutcome(
                expectation=_name(config),
                severity=str(getattr(config, "severity", CRITICAL) or CRITICAL).split(".")[-1].lower(),
                success=bool(result.success),
                observed=_plain(details.get("observed_value")),
                unexpected_count=details.get("unexpected_count"),
                sample=_sample(details),
                error=error,
            )
        )
    return TableOutcome(table, outcomes, row_count)


def _sample_unexpected_rows(engine: sqlalchemy.Engine, tables, by_suite, outcomes) -> None:
    """GX's SUMMARY format leaves out the rows a SQL rule found; fetch a few of them (in SQL)."""
    for rules, outcome in zip(tables, outcomes):
        for result, expectation in zip(by_suite[rules.name].results, outcome.outcomes):
            config = result.expectation_config
            if expectation.success or config.type != "unexpected_rows_expectation":
                continue
            table = f'"{rules.schema}"."{rules.table}"'
            query = config.kwargs["unexpected_rows_query"].replace("{batch}", table)
            try:
                with engine.connect() as con:
                    rows = con.execute(sqlalchemy.text(f"select * from ({query}) as unexpected limit {SAMPLE_SIZE}"))
                    expectation.sample = [_plain(dict(row._mapping)) for row in rows.fetchall()]
            except sqlalchemy.exc.SQLAlchemyError as error:
                expectation.error = f"could not sample the unexpected rows: {error}"


def _name(config: Any) -> str:
    if config.description:
        return config.description
    kwargs = config.kwargs
    columns = [kwargs[k] for k in ("column", "column_A", "column_B") if kwargs.get(k)]
    return f"{config.type}({', '.join(columns)})" if columns else config.type


def _first_exception(info: dict) -> str | None:
    for value in info.values():
        if isinstance(value, dict) and value.get("exception_message"):
            return str(value["exception_message"])
    return None


def _sample(details: dict) -> list[Any]:
    if details.get("partial_unexpected_list"):
        return [_plain(v) for v in details["partial_unexpected_list"][:SAMPLE_SIZE]]
    rows = (details.get("details") or {}).get("unexpected_rows")
    if rows:
        return [_plain(row) for row in list(rows)[:SAMPLE_SIZE]]
    return []


def _plain(value: Any) -> Any:
    """JSON-friendly: dates and decimals become strings, rows become dicts."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return str(value)
