"""`dbt build` is green on Postgres over the same generated dataset, loaded by the real pipeline,
and identity resolution keeps every live person record there too (the row-for-row comparison
with DuckDB lives in the cross-target test)."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.xdist_group("dbt_build_postgres")]


def test_build_on_postgres_resolves_every_live_person_record(built_postgres_warehouse) -> None:
    w = built_postgres_warehouse
    (live_records,) = w.query("""
        select (select count(*) from raw_salesforce.lead where not coalesce(is_deleted, false))
             + (select count(*) from raw_salesforce.contact where not coalesce(is_deleted, false))
             + (select count(*) from raw_hubspot.contacts where not coalesce(archived, false))
    """)[0]
    assert live_records > 0
    assert w.query("select sum(record_count) from marts.mart_identity_resolution")[0][0] == live_records
    assert w.query("select sum(record_count) from marts.dim_people")[0][0] == live_records
    (touches, people_touched) = w.query("select count(*), count(person_id) from marts.fct_touches")[0]
    assert touches > 0 and people_touched > 0.95 * touches
    assert w.query("select count(*) from marts.fct_opportunities")[0][0] == w.query(
        "select count(*) from raw_salesforce.opportunity where not coalesce(is_deleted, false)"
    )[0][0]
