"""Relay's settings as a Dagster resource, read from the environment through ``dg.EnvVar``.

Every Relay component (dlt, dbt's profile, GX, publishing) reads the same variables itself, so
the resource only names them for Dagster (they show in the UI's resource view) and answers paths.
A variable that is not set keeps Relay's default.
"""

from __future__ import annotations

import os
from pathlib import Path

import dagster as dg

from expectations.context import quality_dir
from ingestion.pipelines.targets import duckdb_path, target_name
from orchestration.publication import published_path

SETTINGS = {
    "target": "RELAY_TARGET",
    "duckdb_path": "RELAY_DUCKDB_PATH",
    "published_path": "RELAY_PUBLISHED_PATH",
    "quality_dir": "RELAY_QUALITY_DIR",
}


class RelaySettings(dg.ConfigurableResource):
    target: str | None = None
    duckdb_path: str | None = None
    published_path: str | None = None
    quality_dir: str | None = None

    def target_name(self) -> str:
        return target_name(self.target)

    def warehouse_path(self) -> Path:
        return Path(self.duckdb_path) if self.duckdb_path else duckdb_path()

    def publication_path(self) -> Path:
        return Path(self.published_path) if self.published_path else published_path()

    def export_for_dbt(self) -> None:
        """dbt's profile reads ``RELAY_DUCKDB_PATH`` in its own working directory: hand it the
        absolute path every other component resolved, so a relative default cannot drift."""
        if self.target_name() == "duckdb":
            os.environ["RELAY_DUCKDB_PATH"] = str(self.warehouse_path().resolve())

    def quality_root(self) -> Path:
        return Path(self.quality_dir) if self.quality_dir else quality_dir()


def relay_settings() -> RelaySettings:
    return RelaySettings(**{field: dg.EnvVar(var) for field, var in SETTINGS.items() if os.environ.get(var)})
