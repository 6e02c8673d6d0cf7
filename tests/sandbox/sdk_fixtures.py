"""Fixtures for the conformance tests with the official clients: the sandbox over HTTPS.

Both real APIs are HTTPS-only and the clients assume it (simple-salesforce builds ``https://`` URLs
from the instance URL whatever its scheme), so the sandbox runs in its TLS mode with a certificate
from a throwaway authority made at test time (``trustme``); the clients trust that authority
through their documented options (a ``requests.Session`` with ``verify=``, the HubSpot SDK's
``ssl_ca_cert``), never by turning verification off.

Import the fixtures into a test module: ``from tests.sandbox.sdk_fixtures import tls_ca, ...``.
"""

from __future__ import annotations

import ssl
from collections.abc import Callable
from pathlib import Path

import pytest
import trustme

from ingestion.sandbox.server import SandboxServer


@pytest.fixture(scope="session")
def tls_ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="session")
def tls_ca_file(tls_ca: trustme.CA, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("tls") / "sandbox-ca.pem"
    tls_ca.cert_pem.write_to_path(str(path))
    return path


@pytest.fixture(scope="session")
def tls_server_context(tls_ca: trustme.CA) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls_ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
    return context


@pytest.fixture
def start_tls_sandbox(start_sandbox_server, tls_server_context) -> Callable[..., SandboxServer]:
    """``start_tls_sandbox(data_dir, **kwargs)``: a started HTTPS sandbox, stopped after the test."""

    def start(data_dir: Path, **kwargs) -> SandboxServer:
        return start_sandbox_server(data_dir, ssl_context=tls_server_context, **kwargs)

    return start
