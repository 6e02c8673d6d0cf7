"""Fault drills against the sandbox's fault injection: rate-limit storms, 5xx bursts, dropped
connections and truncated bodies are retried until the load completes with exactly the data of a
clean run; a permanent failure stops the run with a clear error, and a rerun after the fault
clears completes correctly."""

from __future__ import annotations

import time

import pytest

from ingestion.pipelines import IngestionError
from ingestion.retries import retrying_session
from tests.fixtures.sandbox import SANDBOX_CREDENTIALS
from tests.ingestion.conftest import FAST_RETRIES

DATASETS = ("raw_salesforce", "raw_hubspot")

STORM = [
    # HubSpot answers 429 with Retry-After; Salesforce reports limits as 403 REQUEST_LIMIT_EXCEEDED
    {"kind": "rate_limit", "api": "hubspot", "every": 4, "retry_after": 0},
    {"kind": "rate_limit", "api": "hubspot", "path": "/crm/v3/objects/contacts*", "count": 3, "skip": 1, "retry_after": 1},
    {"kind": "rate_limit", "api": "salesforce", "every": 5},
    {"kind": "server_error", "api": "salesforce", "count": 4, "skip": 3, "status": 503},
    {"kind": "server_error", "api": "hubspot", "every": 7, "status": 500},
    {"kind": "server_error", "api": "hubspot", "path": "/email/public/v1/events*", "count": 2, "status": 502},
    {"kind": "drop_connection", "every": 11},
    {"kind": "malformed", "every": 13},
]


@pytest.mark.slow
def test_storms_and_bursts_give_identical_results(
    warehouse, make_warehouse, sandbox_dataset, start_sandbox_server, make_loader
):
    stormy = start_sandbox_server(sandbox_dataset, faults=STORM)
    make_loader(stormy, warehouse, **FAST_RETRIES).load()

    injected = stormy.stats()["faults"]
    assert sum(injected.values()) >= 20, injected  # the storm really hit the run

    clean_server = start_sandbox_server(sandbox_dataset)
    reference = make_warehouse(warehouse.target)
    make_loader(clean_server, reference, name="reference").load()
    for dataset in DATASETS:
        assert warehouse.snapshot(dataset) == reference.snapshot(dataset), dataset


def test_retry_after_is_honoured(sandbox_server, monkeypatch):
    """With exponential backoff set to almost nothing, only Retry-After explains the waiting."""
    monkeypatch.setenv("RUNTIME__REQUEST_BACKOFF_FACTOR", "0.01")
    sandbox_server.set_faults([{"kind": "rate_limit", "api": "hubspot", "count": 2, "retry_after": 2}])
    session = retrying_session()
    started = time.monotonic()
    response = session.get(
        f"{sandbox_server.url}/crm/v3/owners",
        headers={"Authorization": f"Bearer {SANDBOX_CREDENTIALS['hubspot_token']}"},
    )
    elapsed = time.monotonic() - started
    assert response.status_code == 200
    assert sandbox_server.stats()["faults"]
    assert elapsed >= 3.9, elapsed


def test_retries_are_bounded(sandbox_server, monkeypatch):
    monkeypatch.setenv("RUNTIME__REQUEST_BACKOFF_FACTOR", "0.01")
    monkeypatch.setenv("RUNTIME__REQUEST_MAX_ATTEMPTS", "3")
    sandbox_server.set_faults([{"kind": "server_error", "api": "hubspot", "status": 503}])
    response = retrying_session().get(
        f"{sandbox_server.url}/crm/v3/owners",
        headers={"Authorization": f"Bearer {SANDBOX_CREDENTIALS['hubspot_token']}"},
    )
    assert response.status_code == 503
    assert sandbox_server.stats()["requests"] == 3


@pytest.mark.slow
def test_permanent_failure_stops_with_clear_error_then_rerun_completes(
    warehouse, make_warehouse, sandbox_dataset, start_sandbox_server, make_loader
):
    server = start_sandbox_server(sandbox_dataset)
    loader = make_loader(server, warehouse, **{**FAST_RETRIES, "RUNTIME__REQUEST_MAX_ATTEMPTS": "3"})
    server.set_faults([
        {"kind": "server_error", "path": "/services/data/*/queryAll", "object": "Task", "status": 503},
        {"kind": "server_error", "api": "hubspot", "path": "/crm/v3/objects/companies*", "status": 500},
    ])
    with pytest.raises(IngestionError) as failure:
        loader.load()
    message = str(failure.value)
    # one message per failed source, each naming the object, the request and the status
    assert "relay_salesforce" in message and "object `task`" in message
    assert "GET " in message and "/services/data/v61.0/queryAll?q=SELECT" in message and "FROM+Task" in message
    assert "503" in message
    assert "relay_hubspot" in message and "object `companies`" in message and "/crm/v3/objects/companies" in message
    assert "500" in message
    assert "resumes from the last committed state" in message
    assert "Traceback" not in message

    server.set_faults(None)
    loader.load()

    clean_server = start_sandbox_server(sandbox_dataset)
    reference = make_warehouse(warehouse.target)
    make_loader(clean_server, reference, name="reference").load()
    for dataset in DATASETS:
        assert warehouse.snapshot(dataset) == reference.snapshot(dataset), dataset


@pytest.mark.slow
def test_cli_reports_failure_without_traceback(duckdb_warehouse, sandbox_dataset, start_sandbox_server, make_loader):
    server = start_sandbox_server(
        sandbox_dataset, faults=[{"kind": "server_error", "api": "salesforce", "object": "Lead", "status": 503}]
    )
    result = make_loader(server, duckdb_warehouse, **FAST_RETRIES).cli(
        "--source", "salesforce", env={"RUNTIME__REQUEST_MAX_ATTEMPTS": "2"}
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout
    error_lines = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert len(error_lines) == 1
    assert "object `lead`" in error_lines[0] and "503" in error_lines[0] and "/sobjects/Lead/describe" in error_lines[0]


def test_expired_salesforce_session_is_renewed(sandbox_server):
    """Salesforce can end a session early (401 INVALID_SESSION_ID); the client gets a new token
    and repeats the request instead of failing the load."""
    from ingestion.salesforce import salesforce_source

    source = salesforce_source(
        base_url=sandbox_server.url,
        client_id=SANDBOX_CREDENTIALS["sf_client_id"],
        client_secret=SANDBOX_CREDENTIALS["sf_client_secret"],
        sobjects=["User"],
    )
    rows_before = list(source.resources["user"])
    assert sandbox_server.expire_sessions() == 1
    rows_after = list(source.resources["user"])
    assert len(rows_after) == len(rows_before) > 0
    statuses = {
        status: n for endpoint in sandbox_server.stats()["endpoints"].values() for status, n in endpoint["statuses"].items()
    }
    assert statuses.get("401", 0) >= 1


def test_bad_credentials_fail_clearly(duckdb_warehouse, sandbox_server, make_loader, monkeypatch):
    loader = make_loader(sandbox_server, duckdb_warehouse)
    monkeypatch.setenv("SOURCES__HUBSPOT__ACCESS_TOKEN", "pat-wrong")
    for key, value in loader.env().items():
        if key != "SOURCES__HUBSPOT__ACCESS_TOKEN":
            monkeypatch.setenv(key, value)
    from ingestion.pipelines import run

    with pytest.raises(IngestionError) as failure:
        run(("hubspot",), progress=False)
    assert "401" in str(failure.value)
    assert "pat-wrong" not in str(failure.value)
