"""Fixtures for the dbt project's tests, reusable by every test that needs a built warehouse.

The warehouse is built the way a user builds it (see tests/dbt/sandbox_warehouse.py): a generated
sandbox dataset, served by the sandbox server over HTTP, loaded by the real ingestion CLI
(`python -m ingestion run --sandbox URL`), then `dbt build` on a private copy of dbt_project/ (so
dbt's target/ and logs/ never land in the repository tree, and parallel workers never share them).

- ``built_duckdb_warehouse`` (module): the session's small sandbox dataset (tests/fixtures/sandbox.py)
  loaded into a fresh DuckDB file and built. READ-ONLY: query it with ``.query(sql)``.
- ``built_postgres_warehouse`` (module, needs the ``postgres`` marker on the test): the same dataset
  in a fresh Postgres database ``relay_test_<random>``, dropped afterwards; skipped when no server
  answers (fails under CI=true).
- ``pipeline_warehouse`` (function): a factory ``pipeline_warehouse(target="duckdb", people=None,
  seed=42, as_of=SANDBOX_AS_OF) -> PipelineWarehouse`` with a private, writable dataset (a copy
  of the session dataset, or a newly generated one when ``people`` is given), for tests that change
  data between runs: ``.load()`` (the ingestion CLI; incremental after the first), ``.mutate(
  fraction, seed)``, ``.dbt("build", ...)``, ``.query(sql)``.
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.dbt.sandbox_warehouse import BuiltWarehouse, build, copy_project, duckdb_env, load_raw, postgres_env
from tests.fixtures.sandbox import SANDBOX_AS_OF, SANDBOX_PEOPLE, SANDBOX_SEED


@dataclass
class PipelineWarehouse(BuiltWarehouse):
    """A warehouse with its own sandbox dataset, for loading, changing and rebuilding."""

    data_dir: Path = field(default_factory=Path)

    def load(self) -> None:
        """Serve ``data_dir`` and run the ingestion CLI (a full load first, then incremental)."""
        load_raw(self, self.data_dir)

    def mutate(self, fraction: float, seed: int) -> dict:
        from ingestion.sandbox.generator import mutate

        return mutate(self.data_dir, fraction, seed)


@contextmanager
def postgres_database() -> Iterator[dict[str, str]]:
    """A fresh ``relay_test_<random>`` database as RELAY_* settings; dropped afterwards."""
    import psycopg2

    env = postgres_env("postgres")
    try:
        admin = psycopg2.connect(
            host=env["RELAY_PG_HOST"], port=int(env["RELAY_PG_PORT"]), user=env["RELAY_PG_USER"],
            password=env["RELAY_PG_PASSWORD"] or None, dbname="postgres", connect_timeout=5,
        )
    except psycopg2.OperationalError as error:
        message = f"no Postgres server at {env['RELAY_PG_HOST']}:{env['RELAY_PG_PORT']} ({error}); `make postgres`"
        if os.environ.get("CI") == "true":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    admin.autocommit = True
    name = f"relay_test_{secrets.token_hex(6)}"
    with admin.cursor() as cur:
        cur.execute(f'create database "{name}"')
    try:
        yield postgres_env(name)
    finally:
        with admin.cursor() as cur:
            cur.execute(f'drop database if exists "{name}" with (force)')
        admin.close()


@pytest.fixture(scope="module")
def built_duckdb_warehouse(sandbox_dataset: Path, tmp_path_factory: pytest.TempPathFactory) -> BuiltWarehouse:
    root = tmp_path_factory.mktemp("built_duckdb")
    warehouse = BuiltWarehouse(
        "duckdb", duckdb_env(root / "warehouse" / "relay.duckdb"), root,
        project_dir=copy_project(root / "dbt_project"),
    )
    return build(warehouse, sandbox_dataset)


@pytest.fixture(scope="module")
def built_postgres_warehouse(
    sandbox_dataset: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[BuiltWarehouse]:
    root = tmp_path_factory.mktemp("built_postgres")
    with postgres_database() as env:
        warehouse = BuiltWarehouse("postgres", env, root, project_dir=copy_project(root / "dbt_project"))
        yield build(warehouse, sandbox_dataset)


@pytest.fixture
def pipeline_warehouse(
    sandbox_dataset: Path, tmp_path: Path
) -> Iterator[Callable[..., PipelineWarehouse]]:
    made = 0
    databases = []

    def make(
        target: str = "duckdb", people: int | None = None, seed: int = SANDBOX_SEED, as_of: str | None = SANDBOX_AS_OF
    ) -> PipelineWarehouse:
        nonlocal made
        made += 1
        root = tmp_path / f"warehouse-{made}"
        root.mkdir()
        data_dir = root / "sandbox"
        if people is None or (people, seed, as_of) == (SANDBOX_PEOPLE, SANDBOX_SEED, SANDBOX_AS_OF):
            shutil.copytree(sandbox_dataset, data_dir)
        else:
            from ingestion.sandbox.generator import generate

            generate(data_dir, people, seed, as_of=as_of)
        if target == "duckdb":
            env = duckdb_env(root / "warehouse" / "relay.duckdb")
        else:
            database = postgres_database()
            env = database.__enter__()
            databases.append(database)
        return PipelineWarehouse(
            target, env, root, project_dir=copy_project(root / "dbt_project"), data_dir=data_dir
        )

    yield make
    for database in databases:
        database.__exit__(None, None, None)
