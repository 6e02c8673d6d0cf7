"""Where a pipeline loads: the target warehouse from Relay's environment variables.

``RELAY_TARGET`` picks ``duckdb`` (default) or ``postgres``. DuckDB loads into the file at
``RELAY_DUCKDB_PATH`` (default ``data/relay.duckdb`` under the repository root); Postgres into the
server and database named by ``RELAY_PG_HOST``/``PORT``/``USER``/``PASSWORD``/``DATABASE``. When none
of Relay's variables is set and dlt's own configuration names credentials
(``DESTINATION__DUCKDB__CREDENTIALS``, ``[destination.postgres]`` in ``.dlt/secrets.toml``, ...),
dlt's configuration is used as it is.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import dlt
from dlt.common.destination import Destination

TARGETS = ("duckdb", "postgres")
REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DUCKDB_PATH = REPO_ROOT / "data" / "relay.duckdb"
PG_DEFAULTS = {
    "RELAY_PG_HOST": "127.0.0.1",
    "RELAY_PG_PORT": "5432",
    "RELAY_PG_USER": "postgres",
    "RELAY_PG_PASSWORD": "",
    "RELAY_PG_DATABASE": "relay",
}

# Load files: DuckDB reads parquet natively (a bulk scan; dlt's default, INSERT statements, is
# ~10x slower and holds whole tables in memory); Postgres loads csv with COPY.
# No unique indexes on Postgres: dlt declares `_dlt_id` unique, and a load resumed after a crash
# re-runs a COPY that may already have committed; with the index that job fails for good, without
# it the merge deduplicates (see replays.py). Uniqueness of the raw layer comes from merge on the
# primary keys (and is tested), not from constraints.
DUCKDB_CAPS = {"preferred_loader_file_format": "parquet"}
POSTGRES_CAPS = {"preferred_loader_file_format": "csv", "create_indexes": False}


class TargetConfigError(ValueError):
    """The target configuration is unusable (unknown target, bad port, ...)."""


@dataclass(frozen=True)
class Target:
    name: str
    destination: Destination
    location: str
    """A secret-free description of where data lands (a file path or host:port/database)."""

    @property
    def working_dir_key(self) -> str:
        """Separates pipeline working dirs per warehouse, so the incremental state of one
        warehouse is never applied to another (that would load only changes into an empty one)."""
        return f"{self.name}_{hashlib.sha1(self.location.encode()).hexdigest()[:10]}"


def target_name(target: str | None = None) -> str:
    name = (target or os.environ.get("RELAY_TARGET") or "duckdb").strip().lower()
    if name not in TARGETS:
        raise TargetConfigError(f"unknown target {name!r} (RELAY_TARGET); choose one of: {', '.join(TARGETS)}")
    return name


def duckdb_path() -> Path:
    path = Path(os.environ.get("RELAY_DUCKDB_PATH") or DEFAULT_DUCKDB_PATH)
    return path if path.is_absolute() else REPO_ROOT / path


def make_target(target: str | None = None) -> Target:
    """The dlt destination for ``target`` (default: ``RELAY_TARGET``, else DuckDB)."""
    name = target_name(target)
    if name == "duckdb":
        return _duckdb_target()
    return _postgres_target()


def _dlt_configured(key: str) -> Any:
    try:
        return dlt.secrets.get(key) or dlt.config.get(key)
    except Exception:  # an unreadable toml is dlt's to report when it resolves the destination
        return None


def _duckdb_target() -> Target:
    if "RELAY_DUCKDB_PATH" not in os.environ:
        configured = _dlt_configured("destination.duckdb.credentials")
        if isinstance(configured, str) and configured:
            return Target("duckdb", dlt.destinations.duckdb(**DUCKDB_CAPS), configured)
    path = duckdb_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    return Target("duckdb", dlt.destinations.duckdb(credentials=str(path), **DUCKDB_CAPS), str(path))


def _postgres_target() -> Target:
    relay_vars = {key: os.environ[key] for key in PG_DEFAULTS if key in os.environ}
    if not relay_vars and _dlt_configured("destination.postgres.credentials"):
        return Target("postgres", dlt.destinations.postgres(**POSTGRES_CAPS), "dlt-configured postgres")
    settings = {key: relay_vars.get(key, default) for key, default in PG_DEFAULTS.items()}
    try:
        port = int(settings["RELAY_PG_PORT"])
    except ValueError:
        raise TargetConfigError(f"RELAY_PG_PORT must be a port number, got {settings['RELAY_PG_PORT']!r}") from None
    user = quote(settings["RELAY_PG_USER"], safe="")
    # An empty password is spelled out (``user:@host``): dlt then treats it as given, which trust
    # and peer authentication need.
    password = quote(settings["RELAY_PG_PASSWORD"], safe="")
    host, database = settings["RELAY_PG_HOST"], settings["RELAY_PG_DATABASE"]
    credentials = f"postgresql://{user}:{password}@{host}:{port}/{quote(database, safe='')}"
    location = f"{host}:{port}/{database}"
    return Target("postgres", dlt.destinations.postgres(credentials=credentials, **POSTGRES_CAPS), location)
