"""fct_attribution at scale: on a generated 100,000-person dataset built into DuckDB, every
attribution model's credits sum to 1 per opportunity that has touches, revenue credit sums to the
opportunity's amount, and every opportunity with an eligible touch is credited. (The exact credit
of each model on hand-made inputs is pinned by the dbt unit tests next to the model.)"""

from __future__ import annotations

import pytest

from tests.dbt.sandbox_warehouse import BuiltWarehouse, build, copy_project, duckdb_env

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("dbt_attribution"), pytest.mark.timeout(5400)]

PEOPLE = 100_000
MODELS = ("first_touch", "last_touch", "linear", "u_shaped", "w_shaped", "time_decay")
# Doubles summing a handful of shares: anything beyond this is a wrong share, not rounding.
CREDIT_TOLERANCE = 1e-9


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> BuiltWarehouse:
    from ingestion.sandbox.generator import generate

    root = tmp_path_factory.mktemp("attribution")
    generate(root / "sandbox", PEOPLE, 7, as_of="2025-06-30")
    warehouse = BuiltWarehouse(
        "duckdb", duckdb_env(root / "warehouse" / "relay.duckdb"), root,
        project_dir=copy_project(root / "dbt_project"),
    )
    return build(warehouse, root / "sandbox")


@pytest.fixture(scope="module")
def opportunities_with_touches(warehouse: BuiltWarehouse) -> int:
    count = warehouse.query("select count(distinct opportunity_id) from marts.fct_attribution")[0][0]
    # A 100k-person dataset has thousands of opportunities with touches; a handful means a broken join.
    assert count > 1_000
    return count


@pytest.mark.parametrize("model", MODELS)
def test_credits_sum_to_one_per_opportunity(
    warehouse: BuiltWarehouse, opportunities_with_touches: int, model: str
) -> None:
    checked, worst = warehouse.query(
        f"select count(*), max(abs(total - 1)) from ("
        f" select opportunity_id, sum(credit_{model}) as total from marts.fct_attribution group by 1)"
    )[0]
    assert checked == opportunities_with_touches
    assert worst <= CREDIT_TOLERANCE


@pytest.mark.parametrize("model", MODELS)
def test_revenue_credit_sums_to_the_opportunity_amount(
    warehouse: BuiltWarehouse, opportunities_with_touches: int, model: str
) -> None:
    off = warehouse.query(
        f"select a.opportunity_id, a.revenue, o.amount_reporting"
        f" from (select opportunity_id, sum(revenue_{model}) as revenue from marts.fct_attribution group by 1) as a"
        f" join marts.fct_opportunities as o using (opportunity_id)"
        f" where abs(a.revenue - coalesce(o.amount_reporting, 0))"
        f"   > {CREDIT_TOLERANCE} * greatest(1, abs(coalesce(o.amount_reporting, 0)))"
        f" limit 5"
    )
    assert off == []
    total_amount = warehouse.query(
        "select sum(amount_reporting) from marts.fct_opportunities"
        " where opportunity_id in (select opportunity_id from marts.fct_attribution)"
    )[0][0]
    assert total_amount and total_amount > 0


@pytest.mark.parametrize("model", ["first_touch", "last_touch"])
def test_single_touch_models_credit_exactly_one_touch(warehouse: BuiltWarehouse, model: str) -> None:
    bad = warehouse.query(
        f"select opportunity_id from marts.fct_attribution group by 1"
        f" having count(case when credit_{model} = 1 then 1 end) <> 1"
        f"     or count(case when credit_{model} not in (0, 1) then 1 end) > 0 limit 5"
    )
    assert bad == []


def test_every_opportunity_with_an_eligible_touch_is_credited(warehouse: BuiltWarehouse) -> None:
    """Recomputed from fct_touches independently: the touches of the opportunity's people, before
    it was created, within the influence window (90 days by default)."""
    window = warehouse.query(
        "select count(*) from marts.fct_attribution where days_before_opportunity > 90"
        " or days_before_opportunity <= 0"
    )[0][0]
    assert window == 0
    missing, extra = warehouse.query(
        """
        with people as (
            select opportunity_id, person_id from intermediate.int_opportunity_people_linked
            union
            select opportunity_id, person_id from marts.fct_opportunities where person_id is not null
        ),
        eligible as (
            select distinct o.opportunity_id
            from marts.fct_opportunities as o
            join people as p on p.opportunity_id = o.opportunity_id
            join marts.fct_touches as t on t.person_id = p.person_id
            where t.touched_at < o.created_at and t.touched_at >= o.created_at - interval 90 day
        ),
        credited as (select distinct opportunity_id from marts.fct_attribution)
        select
            (select count(*) from eligible where opportunity_id not in (select opportunity_id from credited)),
            (select count(*) from credited where opportunity_id not in (select opportunity_id from eligible))
        """
    )[0]
    assert (missing, extra) == (0, 0)
