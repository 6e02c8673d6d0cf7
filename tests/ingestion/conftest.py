"""Ingestion tests run real pipelines over HTTP against the sandbox server, into real warehouses.

Every test gets a private dlt working dir and environment (``dlt_env``, autouse here). ``Loader``
points the sources at one sandbox server and runs the pipelines in-process (``load``) or as the
CLI in a subprocess (``cli``), the way a user does.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from ingestion.pipelines import SOURCES, run
from ingestion.sandbox.server import SandboxServer
from tests.fixtures.sandbox import SANDBOX_CREDENTIALS
from tests.fixtures.warehouse import Warehouse

REPO_ROOT = Path(__file__).resolve().parents[2]
# Fast retries for fault drills: the schedule of attempts, not the waiting, is under test.
FAST_RETRIES = {
    "RUNTIME__REQUEST_BACKOFF_FACTOR": "0.05",
    "RUNTIME__REQUEST_MAX_RETRY_DELAY": "2",
    "RUNTIME__REQUEST_MAX_ATTEMPTS": "6",
}


@pytest.fixture(autouse=True)
def _isolated_dlt(dlt_env: Path) -> Path:
    return dlt_env


def source_env(server: SandboxServer, credentials: dict[str, str] | None = None) -> dict[str, str]:
    creds = credentials or SANDBOX_CREDENTIALS
    return {
        "SOURCES__SALESFORCE__BASE_URL": server.url,
        "SOURCES__SALESFORCE__CLIENT_ID": creds["sf_client_id"],
        "SOURCES__SALESFORCE__CLIENT_SECRET": creds["sf_client_secret"],
        "SOURCES__HUBSPOT__BASE_URL": server.url,
        "SOURCES__HUBSPOT__ACCESS_TOKEN": creds["hubspot_token"],
    }


@dataclass
class Loader:
    """Runs Relay's pipelines from one sandbox server into one warehouse."""

    server: SandboxServer
    warehouse: Warehouse
    pipelines_dir: Path
    monkeypatch: pytest.MonkeyPatch
    extra_env: dict[str, str] = field(default_factory=dict)

    def env(self) -> dict[str, str]:
        return {
            **source_env(self.server),
            **self.warehouse.env,
            "RELAY_PIPELINES_DIR": str(self.pipelines_dir),
            "RUNTIME__DLTHUB_TELEMETRY": "false",
            **self.extra_env,
        }

    def load(self, sources: Sequence[str] = SOURCES, full_refresh: bool = False):
        for key, value in self.env().items():
            self.monkeypatch.setenv(key, value)
        return run(sources, full_refresh=full_refresh, progress=False)

    def cli(self, *args: str, env: dict[str, str] | None = None, timeout: float = 300,
            module: str = "ingestion") -> subprocess.CompletedProcess:
        full_env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("RELAY_", "SOURCES__", "RUNTIME__"))},
            **self.env(),
            **(env or {}),
        }
        # A session of its own, so that a timeout can end the loader and any worker it started.
        process = subprocess.Popen(
            [sys.executable, "-m", module, "run", *args],
            cwd=REPO_ROOT,
            env=full_env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        try:
            stdout, stderr = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            stdout, stderr = process.communicate()
            raise AssertionError(f"the loader did not finish within {timeout}s:\n{stderr[-3000:]}") from None
        return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


@pytest.fixture
def make_loader(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """``make_loader(server, warehouse, name)``: a loader with its own pipelines dir."""

    def make(server: SandboxServer, warehouse: Warehouse, name: str = "main", **extra_env: str) -> Loader:
        pipelines = tmp_path / f"pipelines-{name}"
        pipelines.mkdir(exist_ok=True)
        return Loader(server, warehouse, pipelines, monkeypatch, dict(extra_env))

    return make


def file_counts(data_dir: Path) -> dict[tuple[str, str], int]:
    """(dataset, table) -> records in the sandbox file, by the contract's table naming."""
    from ingestion.salesforce.settings import SOBJECTS

    counts: dict[tuple[str, str], int] = {}
    for path in sorted((data_dir / "salesforce").glob("*.jsonl")):
        counts[("raw_salesforce", SOBJECTS[path.stem])] = _lines(path)
    for path in sorted((data_dir / "hubspot").glob("*.jsonl")):
        counts[("raw_hubspot", path.stem)] = _lines(path)
    return counts


def _lines(path: Path) -> int:
    with path.open("rb") as handle:
        return sum(1 for line in handle if line.strip())
