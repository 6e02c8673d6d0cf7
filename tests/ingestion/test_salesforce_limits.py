"""The Salesforce source within a real org's limits: the daily API budget fails fast with a message
naming it, and the SystemModstamp cursor looks back far enough to catch late commits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import requests

from ingestion.pipelines import IngestionError
from tests.ingestion.conftest import FAST_RETRIES
from tests.sandbox.server_helpers import read_records, write_records

SF_TIME = "%Y-%m-%dT%H:%M:%S.%f"


def _stamp(moment: datetime) -> str:
    return moment.strftime(SF_TIME)[:-3] + "+0000"


def _parse(stamp: str) -> datetime:
    return datetime.strptime(stamp[:-5], SF_TIME).replace(tzinfo=UTC)


def test_the_daily_limit_fails_fast_naming_the_limit(duckdb_warehouse, sandbox_dataset, start_sandbox_server,
                                                     make_loader):
    server = start_sandbox_server(sandbox_dataset)
    requests.post(f"{server.url}/__sandbox/salesforce/limits",
                  json={"DailyApiRequests": {"Max": 15_000, "Remaining": 4}})
    loader = make_loader(server, duckdb_warehouse, **FAST_RETRIES)
    with pytest.raises(IngestionError) as failure:
        loader.load(["salesforce"])
    message = str(failure.value)
    assert "daily API request limit" in message and "DailyApiRequests" in message
    assert "Max 15,000, Remaining 0" in message
    assert "rolling 24 hours" in message and "Not retried" in message
    assert "REQUEST_LIMIT_EXCEEDED: TotalRequests Limit exceeded." in message
    assert "\n" not in message and "Bearer" not in message
    refused = sum(e["statuses"].get("403", 0) for e in server.stats()["endpoints"].values())
    assert refused <= 2  # the failing request (and the /limits look-up), never a retry


def test_the_concurrency_limit_is_still_retried(duckdb_warehouse, sandbox_dataset, start_sandbox_server,
                                                make_loader):
    server = start_sandbox_server(sandbox_dataset, faults=[
        {"kind": "rate_limit", "api": "salesforce", "path": "/services/data/*", "count": 3}])
    make_loader(server, duckdb_warehouse, **FAST_RETRIES).load(["salesforce"])
    assert duckdb_warehouse.count("raw_salesforce", "lead") == len(read_records(sandbox_dataset / "salesforce" / "Lead.jsonl"))


def test_a_late_commit_behind_the_cursor_is_loaded_by_the_next_run(duckdb_warehouse, sandbox_dataset_copy,
                                                                   start_sandbox_server, make_loader):
    data_dir = sandbox_dataset_copy
    server = start_sandbox_server(data_dir)
    loader = make_loader(server, duckdb_warehouse)
    loader.load(["salesforce"])
    path = data_dir / "salesforce" / "Lead.jsonl"
    leads = read_records(path)
    latest = max(_parse(r["SystemModstamp"]) for r in leads)
    # A transaction that began a minute before the last run's newest stamp commits only now.
    late = {**leads[0], "Id": "00Q8d00009LATE1AAA", "LastName": "Latecomer",
            "CreatedDate": _stamp(latest - timedelta(seconds=60)),
            "LastModifiedDate": _stamp(latest - timedelta(seconds=60)),
            "SystemModstamp": _stamp(latest - timedelta(seconds=60))}
    late["attributes"] = {**late["attributes"], "url": late["attributes"]["url"].rsplit("/", 1)[0] + "/" + late["Id"]}
    write_records(path, [*leads, late])
    loader.load(["salesforce"])
    names = duckdb_warehouse.query("select last_name from raw_salesforce.lead where id = ?", (late["Id"],))
    assert names == [("Latecomer",)]
    # the rows re-read inside the window merged by Id: no duplicates
    assert duckdb_warehouse.count("raw_salesforce", "lead") == len(leads) + 1
    assert duckdb_warehouse.query("select count(distinct id) from raw_salesforce.lead")[0][0] == len(leads) + 1
