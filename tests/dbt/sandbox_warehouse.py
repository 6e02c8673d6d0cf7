"""Building a warehouse the way a user does: a generated sandbox dataset, served over HTTP, loaded
by the real ingestion CLI, then `dbt build`. Each step runs in a subprocess with an explicit
environment, so module-scoped fixtures and parallel workers never share state.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
DBT_PROJECT = REPO_ROOT / "dbt_project"
BIN = Path(sys.executable).parent
_INHERITED_PREFIXES = ("RELAY_", "SOURCES__", "DESTINATION__", "DBT_")


@dataclass
class BuiltWarehouse:
    """Where one test warehouse lives and the environment that points dbt, mf and dlt at it."""

    target: str
    env: dict[str, str]
    workdir: Path
    project_dir: Path = field(default=DBT_PROJECT)

    def run_env(self) -> dict[str, str]:
        clean = {k: v for k, v in os.environ.items() if not k.startswith(_INHERITED_PREFIXES)}
        return {**clean, "RUNTIME__DLTHUB_TELEMETRY": "false", "DO_NOT_TRACK": "1", **self.env}

    def dbt(self, *args: str, timeout: float = 1800) -> subprocess.CompletedProcess:
        """Run dbt against this warehouse; its artifacts go under the project dir's own target/."""
        command = [
            str(BIN / "dbt"), *args,
            "--project-dir", str(self.project_dir),
            "--profiles-dir", str(self.project_dir),
        ]
        return _run(command, self.run_env(), self.workdir, timeout)

    def query(self, sql: str) -> list[tuple]:
        if self.target == "duckdb":
            import duckdb

            with duckdb.connect(self.env["RELAY_DUCKDB_PATH"], read_only=True) as con:
                return con.execute(sql).fetchall()
        import psycopg2

        con = psycopg2.connect(
            host=self.env["RELAY_PG_HOST"], port=int(self.env["RELAY_PG_PORT"]),
            user=self.env["RELAY_PG_USER"], password=self.env.get("RELAY_PG_PASSWORD") or None,
            dbname=self.env["RELAY_PG_DATABASE"],
        )
        try:
            with con.cursor() as cur:
                cur.execute(sql)
                return cur.fetchall()
        finally:
            con.close()


def _run(command: list[str], env: dict[str, str], cwd: Path, timeout: float) -> subprocess.CompletedProcess:
    result = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).splitlines()[-60:])
        raise AssertionError(f"{' '.join(command[:3])} failed ({result.returncode}):\n{tail}")
    return result


def copy_project(destination: Path) -> Path:
    """A private copy of the dbt project: `mf` reads `<project>/target/`, which must not be shared."""
    shutil.copytree(
        DBT_PROJECT, destination,
        ignore=shutil.ignore_patterns("target", "logs", "dbt_packages", ".user.yml"),
    )
    return destination


def load_raw(warehouse: BuiltWarehouse, data_dir: Path) -> None:
    """Serve `data_dir` from a sandbox server and load it with `python -m ingestion run`."""
    from ingestion.sandbox.server import SandboxServer

    env = {**warehouse.run_env(), "RELAY_PIPELINES_DIR": str(warehouse.workdir / "dlt_pipelines")}
    with SandboxServer(data_dir) as server:
        _run(
            [sys.executable, "-m", "ingestion", "run", "--sandbox", server.url, "--no-progress"],
            env, REPO_ROOT, timeout=3600,
        )


def build(warehouse: BuiltWarehouse, data_dir: Path) -> BuiltWarehouse:
    """Load `data_dir` into the warehouse and build every dbt model (tests included)."""
    load_raw(warehouse, data_dir)
    warehouse.dbt("build")
    return warehouse


def duckdb_env(path: Path) -> dict[str, str]:
    path.parent.mkdir(parents=True, exist_ok=True)
    return {"RELAY_TARGET": "duckdb", "RELAY_DUCKDB_PATH": str(path)}


def postgres_env(database: str) -> dict[str, str]:
    return {
        "RELAY_TARGET": "postgres",
        "RELAY_PG_HOST": os.environ.get("RELAY_PG_HOST", "127.0.0.1"),
        "RELAY_PG_PORT": os.environ.get("RELAY_PG_PORT", "5432"),
        "RELAY_PG_USER": os.environ.get("RELAY_PG_USER", "postgres"),
        "RELAY_PG_PASSWORD": os.environ.get("RELAY_PG_PASSWORD", ""),
        "RELAY_PG_DATABASE": database,
    }
