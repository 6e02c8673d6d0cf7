"""Email touches carry their campaign through the send: an email event's emailCampaignId is the id
of a send, which a marketing email lists in allEmailCampaignIds (primaryEmailCampaignId), never
the email's own id. Checked on the session's sandbox dataset, whose send ids differ from its email
ids, built into DuckDB and Postgres the way a user builds them."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from tests.dbt.sandbox_warehouse import BuiltWarehouse

EMAIL_TOUCH_EVENTS = ("OPEN", "CLICK")


def _records(path: Path) -> list[dict]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines() if line.strip()]


def _expected_campaigns(data_dir: Path) -> dict[str, str | None]:
    """touch id -> the HubSpot campaign of the email whose send the event names (None: newsletter)."""
    emails = _records(data_dir / "hubspot" / "marketing_emails.jsonl")
    events = _records(data_dir / "hubspot" / "email_events.jsonl")
    campaign_of_send = {send: e["campaign"] for e in emails for send in e["allEmailCampaignIds"]}
    email_ids = {int(e["id"]) for e in emails}
    named = {e["emailCampaignId"] for e in events}
    # the dataset this test needs: events name sends, and no send id is an email id
    assert named <= set(campaign_of_send) and not named & email_ids
    return {
        f"hubspot_email_event:{e['id']}": campaign_of_send[e["emailCampaignId"]]
        for e in events if e["type"] in EMAIL_TOUCH_EVENTS
    }


def _check(warehouse: BuiltWarehouse, data_dir: Path) -> None:
    expected = _expected_campaigns(data_dir)
    rows = warehouse.query(
        "select touch_id, hubspot_campaign_id from intermediate.int_touches_unioned"
        " where touch_id like 'hubspot_email_event:%'"
    )
    got = dict(rows)
    assert set(got) == set(expected)
    assert sum(c is not None for c in expected.values()) > 20  # many email touches belong to a campaign
    wrong = {t: (got[t], c) for t, c in expected.items() if got[t] != c}
    assert not wrong, f"{len(wrong)} of {len(expected)} email touches with the wrong campaign, e.g. {list(wrong.items())[:3]}"
    sends = warehouse.query("select count(*), count(distinct marketing_email_id) from staging.stg_hubspot__email_sends")[0]
    assert sends[0] > sends[1]  # some emails have several sends (A/B tests, resends)


@pytest.mark.xdist_group("dbt_build_duckdb")
def test_email_touches_carry_their_campaign_through_the_send_duckdb(built_duckdb_warehouse, sandbox_dataset) -> None:
    _check(built_duckdb_warehouse, sandbox_dataset)


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.xdist_group("dbt_build_postgres")
def test_email_touches_carry_their_campaign_through_the_send_postgres(built_postgres_warehouse, sandbox_dataset) -> None:
    _check(built_postgres_warehouse, sandbox_dataset)
