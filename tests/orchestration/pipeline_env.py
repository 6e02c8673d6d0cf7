"""A whole Relay environment for end-to-end orchestration tests: a generated sandbox dataset served
over HTTP, a private warehouse, publication, quality dir and dlt working dir, and Relay's Dagster
definitions loaded against them."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import pytest

from ingestion.sandbox.generator import generate
from ingestion.sandbox.server import (
    DEFAULT_HUBSPOT_TOKEN,
    DEFAULT_SF_CLIENT_ID,
    DEFAULT_SF_CLIENT_SECRET,
    SandboxServer,
)

PEOPLE = 300
SEED = 42
AS_OF = "2025-01-01"
ISOLATED_PREFIXES = ("RELAY_", "SOURCES__", "DESTINATION__", "NORMALIZE__", "LOAD__", "EXTRACT__", "RUNTIME__")


@dataclass
class PipelineEnv:
    base: Path
    data: Path
    server: SandboxServer
    definitions: dg.Definitions
    instance: dg.DagsterInstance

    @property
    def warehouse(self) -> Path:
        return Path(os.environ["RELAY_DUCKDB_PATH"])

    @property
    def published(self) -> Path:
        return Path(os.environ["RELAY_PUBLISHED_PATH"])

    @property
    def quality(self) -> Path:
        return Path(os.environ["RELAY_QUALITY_DIR"])


@contextmanager
def pipeline_env(base: Path) -> Iterator[PipelineEnv]:
    data = base / "sandbox"
    generate(data, PEOPLE, SEED, as_of=AS_OF)
    patch = pytest.MonkeyPatch()
    server = SandboxServer(data)
    try:
        for name in list(os.environ):
            if name.startswith(ISOLATED_PREFIXES):
                patch.delenv(name, raising=False)
        server.start()
        env = {
            "RELAY_TARGET": "duckdb",
            "RELAY_DUCKDB_PATH": str(base / "warehouse" / "relay.duckdb"),
            "RELAY_PUBLISHED_PATH": str(base / "published" / "relay.duckdb"),
            "RELAY_QUALITY_DIR": str(base / "quality"),
            "RELAY_PIPELINES_DIR": str(base / "dlt"),
            # The dataset is as of 2025-01-01: only the freshness rule would notice.
            "RELAY_FRESHNESS_HOURS": str(24 * 365 * 50),
            # Failures here are meant, not transient: no step retries.
            "RELAY_STEP_RETRIES": "0",
            "RUNTIME__DLTHUB_TELEMETRY": "false",
            "SOURCES__SALESFORCE__BASE_URL": server.url,
            "SOURCES__HUBSPOT__BASE_URL": server.url,
            "SOURCES__SALESFORCE__CLIENT_ID": DEFAULT_SF_CLIENT_ID,
            "SOURCES__SALESFORCE__CLIENT_SECRET": DEFAULT_SF_CLIENT_SECRET,
            "SOURCES__HUBSPOT__ACCESS_TOKEN": DEFAULT_HUBSPOT_TOKEN,
        }
        for key, value in env.items():
            patch.setenv(key, value)
        from orchestration.definitions import build_definitions

        definitions = build_definitions()
        with dg.DagsterInstance.ephemeral() as instance:
            yield PipelineEnv(base, data, server, definitions, instance)
    finally:
        server.stop()
        patch.undo()


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def write_jsonl(path: Path, records: list[dict]) -> None:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
