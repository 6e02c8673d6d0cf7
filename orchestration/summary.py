"""The short funnel summary printed at the end of a run, read from the published warehouse (what
BI sees), never from the file the pipeline writes."""

from __future__ import annotations

from pathlib import Path

import duckdb

TOTALS = (
    "select sum(leads), sum(mqls), sum(sqls), sum(opportunities), sum(wins) from {marts}.mart_funnel_kpis"
)
BOOKINGS = (
    "select count(*) filter (where is_won), coalesce(sum(amount_reporting) filter (where is_won), 0),"
    " coalesce(sum(amount_reporting) filter (where not is_closed), 0) from {marts}.fct_opportunities"
)
CHANNELS = (
    "select channel, sum(leads) as leads, sum(wins) as wins from {marts}.mart_funnel_kpis"
    " group by channel order by leads desc nulls last limit 5"
)


def funnel_summary_duckdb(published: Path) -> str:
    with duckdb.connect(str(published), read_only=True) as con:
        return _render(lambda sql: con.execute(sql.format(marts="marts")).fetchall())


def funnel_summary_postgres(connect, schema: str) -> str:
    con = connect()
    try:
        with con.cursor() as cur:

            def query(sql: str) -> list[tuple]:
                cur.execute(sql.format(marts=f'"{schema}"'))
                return cur.fetchall()

            return _render(query)
    finally:
        con.close()


def _rate(part, whole) -> str:
    return f"{100 * part / whole:5.1f}%" if whole else "    -"


def _render(query) -> str:
    leads, mqls, sqls, opportunities, wins = (int(v or 0) for v in query(TOTALS)[0])
    won, bookings, pipeline = query(BOOKINGS)[0]
    lines = [
        "Funnel (all cohorts)",
        f"  leads {leads:>8,}",
        f"  MQLs  {mqls:>8,}   {_rate(mqls, leads)} of leads",
        f"  SQLs  {sqls:>8,}   {_rate(sqls, mqls)} of MQLs",
        f"  opps  {opportunities:>8,}   {_rate(opportunities, sqls)} of SQLs",
        f"  won   {wins:>8,}   {_rate(wins, opportunities)} of opportunities",
        f"  bookings {float(bookings):,.0f} from {int(won or 0):,} won deals; open pipeline {float(pipeline):,.0f}",
        "Top channels by leads",
    ]
    for channel, channel_leads, channel_wins in query(CHANNELS):
        lines.append(f"  {str(channel or 'unknown'):<20} {int(channel_leads or 0):>7,} leads {int(channel_wins or 0):>5,} won")
    return "\n".join(lines)
