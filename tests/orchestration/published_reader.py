"""A BI session on the published warehouse, run as its own process during a pipeline run.

Mode ``held`` keeps one read-only connection for its whole life; mode ``fresh`` opens a new one
for every look (a separate process, because DuckDB hands a process the database it already has
open). It looks every few tens of milliseconds; each observation (or error) is one JSON line on
stdout. It stops when the stop file appears.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import duckdb

TABLES = ("dim_people", "fct_funnel", "fct_opportunities", "fct_attribution", "mart_funnel_kpis")


def observe(con: duckdb.DuckDBPyConnection) -> dict:
    con.execute("begin transaction")
    try:
        run_id = con.execute("select run_id from main._publication").fetchone()[0]
        counts = {t: con.execute(f"select count(*) from marts.{t}").fetchone()[0] for t in TABLES}
    finally:
        con.execute("rollback")
    return {"run_id": run_id, "counts": counts}


def main(mode: str, path: str, stop: str) -> None:
    held = duckdb.connect(path, read_only=True) if mode == "held" else None
    print(json.dumps({"kind": mode, "ready": True}), flush=True)
    while True:
        stopping = Path(stop).exists()
        try:
            if held is not None:
                seen = observe(held)
            else:
                with duckdb.connect(path, read_only=True) as fresh:
                    seen = observe(fresh)
            print(json.dumps({"kind": mode, **seen}), flush=True)
        except Exception as error:  # every error is a finding: report it, keep observing
            print(json.dumps({"kind": mode, "error": f"{type(error).__name__}: {error}"}), flush=True)
        if stopping:
            break
        time.sleep(0.05)
    if held is not None:
        held.close()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3])
