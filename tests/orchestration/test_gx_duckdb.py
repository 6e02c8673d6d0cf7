"""Great Expectations computes real metrics on a DuckDB file (the fix in
expectations/duckdb_datasource.py), and the validation outcome names what failed."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import duckdb
import great_expectations as gx
import great_expectations.expectations as gxe
import pytest

from expectations.suites import RAW_TABLES, SuiteSettings, TableRules
from expectations.suites.vocabularies import LEAD_STATUS, SEEDS_DIR
from expectations.validation import validate


@pytest.fixture
def warehouse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """100 leads: every 10th has no email, ids 0..99 unique, two with a status outside the vocabulary."""
    path = tmp_path / "relay.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create schema raw_salesforce")
        con.execute(
            """
            create table raw_salesforce.lead as
            select
                'L' || i as id,
                case when i % 10 = 0 then null else 'p' || i || '@example.com' end as email,
                case when i in (3, 4) then 'Bogus' else 'Qualified' end as status,
                now() - interval 1 hour as system_modstamp
            from range(100) as t(i)
            """
        )
    monkeypatch.setenv("RELAY_TARGET", "duckdb")
    monkeypatch.setenv("RELAY_DUCKDB_PATH", str(path))
    return path


RULES = TableRules(
    "raw_salesforce",
    "lead",
    columns=("id", "email", "status", "system_modstamp"),
    key="id",
    not_null=("email",),
    accepted={"status": ("Qualified", "Unqualified")},
    freshness_column="system_modstamp",
    unexpected_rows=(("converted leads are qualified", "select id, status from {batch} where status = 'Bogus'"),),
)


def test_expectations_compute_metrics_in_duckdb(warehouse: Path, tmp_path: Path) -> None:
    run = validate([RULES], run_id="t1", settings=SuiteSettings(), root=tmp_path / "quality")
    (table,) = run.tables
    by_name = {o.expectation: o for o in table.outcomes}
    assert all(o.error is None for o in table.outcomes), [o.error for o in table.outcomes]
    assert table.row_count == 100
    assert by_name["expect_column_values_to_not_be_null(id)"].success
    assert by_name["expect_column_values_to_be_unique(id)"].success
    assert by_name["expect_table_columns_to_match_set"].success
    email = by_name["expect_column_values_to_not_be_null(email)"]
    assert not email.success and email.unexpected_count == 10
    status = by_name["expect_column_values_to_be_in_set(status)"]
    assert not status.success and status.unexpected_count == 2 and status.sample == ["Bogus", "Bogus"]
    assert by_name["newest system_modstamp is within 336 hours"].success
    rows = by_name["converted leads are qualified"]
    assert not rows.success and rows.observed == 2
    assert sorted(r["id"] for r in rows.sample) == ["L3", "L4"]
    assert table.blocking and table.status == "failed"
    assert run.data_docs is not None and run.data_docs.exists()
    # the site holds this run's validation page for the table, linked from the index
    pages = list((run.data_docs.parent / "validations" / RULES.schema / RULES.table).rglob("*.html"))
    assert pages, "no validation page in Data Docs"
    assert RULES.name in run.data_docs.read_text()


def test_row_count_change_compares_with_the_previous_load(warehouse: Path, tmp_path: Path) -> None:
    root = tmp_path / "quality"
    validate([RULES], run_id="first", root=root)
    with duckdb.connect(str(warehouse)) as con:
        con.execute("delete from raw_salesforce.lead where id in ('L1', 'L2')")
    (table,) = validate([RULES], run_id="second", root=root).tables
    (change,) = [o for o in table.outcomes if o.expectation == "expect_table_row_count_to_be_between" and o.severity == "warning"]
    assert not change.success and change.observed == 98


def test_the_warehouse_file_is_released_after_validation(warehouse: Path, tmp_path: Path) -> None:
    validate([RULES], run_id="t1", root=tmp_path / "quality")
    # A writer in another process would fail while GX still held the file; in-process, a
    # read-write connection with a different configuration fails the same way.
    with duckdb.connect(str(warehouse)) as con:
        con.execute("insert into raw_salesforce.lead values ('L100', 'x@example.com', 'Qualified', now())")


def test_a_missing_table_fails_its_suite_without_stopping_the_others(warehouse: Path, tmp_path: Path) -> None:
    missing = TableRules("raw_hubspot", "email_events", key="id")
    run = validate([missing, RULES], run_id="t1", root=tmp_path / "quality")
    absent, present = run.tables
    assert absent.blocking and absent.failed[0].expectation == "table exists"
    assert present.row_count == 100


def test_upstream_sql_datasource_still_needs_the_fix(warehouse: Path) -> None:
    """GX's generic SQL datasource on DuckDB computes nothing. When this fails, GX has fixed the
    problem upstream and expectations/duckdb_datasource.py can go."""
    context = gx.get_context(mode="ephemeral")
    datasource = context.data_sources.add_sql("plain", connection_string=f"duckdb:///{warehouse}")
    batch = datasource.add_table_asset("lead", table_name="lead", schema_name="raw_salesforce").add_batch_definition_whole_table("all")
    suite = context.suites.add(gx.ExpectationSuite("s", expectations=[gxe.ExpectTableRowCountToBeBetween(min_value=1)]))
    result = context.validation_definitions.add(gx.ValidationDefinition(name="v", data=batch, suite=suite)).run()
    (expectation,) = result.results
    assert not expectation.success and "observed_value" not in expectation.result


def test_an_unmapped_value_warns_with_its_count_and_the_seed_maps_it(warehouse: Path, tmp_path: Path) -> None:
    """Out-of-the-box Salesforce values the seed lacks warn (never block); adding them to the seed
    is all it takes, no code change."""
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS_DIR, seeds)
    status = replace(LEAD_STATUS, seeds_dir=seeds)
    rules = TableRules("raw_salesforce", "lead", key="id", vocabularies=(status,))
    with duckdb.connect(str(warehouse)) as con:
        con.execute("update raw_salesforce.lead set status = 'Closed - Converted' where id in ('L5', 'L6', 'L7')")
    (table,) = validate([rules], run_id="t1", root=tmp_path / "quality").tables
    (check,) = [o for o in table.outcomes if o.expectation == status.description]
    assert not check.success and check.severity == "warning" and not table.blocking
    assert sorted((row["value"], row["records"]) for row in check.sample) == [("bogus", 2), ("closed - converted", 3)]
    assert "funnel_stage_mapping.csv" in check.expectation

    with (seeds / "funnel_stage_mapping.csv").open("a") as seed:
        seed.write("salesforce,lead_status,Closed - Converted,sql,false\nsalesforce,lead_status,Bogus,lead,true\n")
    (table,) = validate([rules], run_id="t2", root=tmp_path / "quality").tables
    assert table.status == "passed"


def test_raw_suites_take_no_vocabulary_of_their_own() -> None:
    """Every source vocabulary the raw suites check comes from a seed, none is written in code."""
    for rules in RAW_TABLES:
        assert not rules.accepted, rules.name
        for vocabulary in rules.vocabularies:
            assert vocabulary.seed_path.is_file() and vocabulary.values(), (rules.name, vocabulary.column)
