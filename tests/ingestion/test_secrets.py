"""Secrets never appear in logs, errors or tracebacks, at any log level: the loader runs with
dlt's DEBUG logging against a server with unguessable credentials and failing requests, and none
of the secrets (nor the access token the server issued) shows up in anything it printed or wrote
to its working dir."""

from __future__ import annotations

import re
import secrets

import pytest

from tests.ingestion.conftest import FAST_RETRIES

pytestmark = pytest.mark.slow

# Salesforce access tokens are "<org id>!<random>"; the sandbox's org id starts like a real one.
ACCESS_TOKEN = re.compile(r"00D[0-9A-Za-z]{12,15}![0-9A-Za-z_\-.]{10,}")


def test_no_secret_in_any_output_at_debug_level(duckdb_warehouse, sandbox_dataset, start_sandbox_server, make_loader):
    creds = {
        "sf_client_id": f"id-{secrets.token_hex(8)}",
        "sf_client_secret": f"secret-{secrets.token_hex(16)}",
        "hubspot_token": f"pat-{secrets.token_hex(16)}",
    }
    server = start_sandbox_server(
        sandbox_dataset,
        faults=[
            {"kind": "rate_limit", "every": 5, "retry_after": 0},
            {"kind": "server_error", "api": "salesforce", "object": "Opportunity", "status": 503},
            {"kind": "server_error", "api": "hubspot", "path": "/crm/v3/objects/contacts*", "status": 500},
            {"kind": "drop_connection", "every": 9},
        ],
        **creds,
    )
    loader = make_loader(server, duckdb_warehouse, **FAST_RETRIES)
    secret_env = {
        "SOURCES__SALESFORCE__CLIENT_ID": creds["sf_client_id"],
        "SOURCES__SALESFORCE__CLIENT_SECRET": creds["sf_client_secret"],
        "SOURCES__HUBSPOT__ACCESS_TOKEN": creds["hubspot_token"],
        "RUNTIME__LOG_LEVEL": "DEBUG",
        "RUNTIME__REQUEST_MAX_ATTEMPTS": "3",
        "RUNTIME__HTTP_SHOW_ERROR_BODY": "true",  # even with error bodies shown
    }
    failed = loader.cli(env=secret_env)
    # and a run whose credentials are refused
    refused = loader.cli(
        env={**secret_env, "SOURCES__SALESFORCE__CLIENT_SECRET": creds["sf_client_secret"] + "-wrong"}
    )

    assert failed.returncode == 1 and refused.returncode == 1
    output = "\n".join([failed.stdout, failed.stderr, refused.stdout, refused.stderr])
    assert "DEBUG" in output and "Making GET request" in output  # the debug log really ran
    assert "error: relay_salesforce" in failed.stderr and "error: relay_hubspot" in failed.stderr
    assert "invalid_client" in refused.stderr or "400" in refused.stderr

    for name, value in creds.items():
        if name == "sf_client_id":
            continue  # a client id is an identifier, not a secret
        assert value not in output, name
    assert not ACCESS_TOKEN.search(output)

    # nor in anything dlt keeps on disk (state, traces, schemas, load packages)
    for path in loader.pipelines_dir.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            for name in ("sf_client_secret", "hubspot_token"):
                assert creds[name].encode() not in data, (name, path)
            assert not ACCESS_TOKEN.search(data.decode("latin-1")), path
