"""The dbt project keeps its own conventions (STYLE.md): every model and column documented,
contracts on every core mart, `source()` only in staging, and every source table carrying the
Dagster asset key the dlt assets use. Checked on the parsed manifest, no warehouse needed."""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from tests.dbt.sandbox_warehouse import BIN, DBT_PROJECT, copy_project

OWN_FOLDERS = ("models/staging/", "models/intermediate/", "models/marts/core/")


@pytest.fixture(scope="module")
def manifest(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("dbt_parse")
    project = copy_project(root / "dbt_project")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RELAY_", "DBT_"))}
    env.update({"RELAY_TARGET": "duckdb", "RELAY_DUCKDB_PATH": str(root / "relay.duckdb"), "DO_NOT_TRACK": "1"})
    result = subprocess.run(
        [str(BIN / "dbt"), "parse", "--project-dir", str(project), "--profiles-dir", str(project)],
        env=env, cwd=root, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return json.loads((project / "target" / "manifest.json").read_text())


def own_models(manifest: dict) -> list[dict]:
    models = [
        node for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["original_file_path"].startswith(OWN_FOLDERS)
    ]
    assert len(models) > 30
    return models


def test_every_model_and_column_is_documented(manifest: dict) -> None:
    undocumented = []
    for model in own_models(manifest):
        if not model["description"].strip():
            undocumented.append(model["name"])
        if not model["columns"]:
            undocumented.append(f"{model['name']} (no columns)")
        undocumented += [
            f"{model['name']}.{name}" for name, column in model["columns"].items() if not column["description"].strip()
        ]
    assert undocumented == []


def test_every_core_mart_enforces_its_contract(manifest: dict) -> None:
    for model in own_models(manifest):
        if model["original_file_path"].startswith("models/marts/core/"):
            assert model["config"]["contract"]["enforced"], model["name"]
            assert all(column["data_type"] for column in model["columns"].values()), model["name"]


def test_sources_are_read_only_in_staging(manifest: dict) -> None:
    for node in manifest["nodes"].values():
        if node["resource_type"] == "model" and node["depends_on"]["nodes"]:
            reads_source = any(dep.startswith("source.") for dep in node["depends_on"]["nodes"])
            assert reads_source == node["original_file_path"].startswith("models/staging/"), node["name"]


def test_every_source_table_carries_the_dlt_asset_key(manifest: dict) -> None:
    sources = list(manifest["sources"].values())
    assert {source["source_name"] for source in sources} == {"salesforce", "hubspot"}
    for source in sources:
        assert source["meta"]["dagster"]["asset_key"] == [source["schema"], source["name"]]
        assert source["schema"] == f"raw_{source['source_name']}"


def test_schemas_are_used_as_named(manifest: dict) -> None:
    schemas = {
        node["schema"] for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["original_file_path"].startswith(OWN_FOLDERS)
    }
    assert schemas == {"staging", "intermediate", "marts"}


def test_every_model_folder_has_its_models_yml() -> None:
    for folder in sorted({path.parent for path in (DBT_PROJECT / "models").rglob("*.sql")}):
        if str(folder.relative_to(DBT_PROJECT)).startswith(tuple(f.rstrip("/") for f in OWN_FOLDERS)):
            assert list(folder.glob(f"_{folder.name}__models.yml")), folder
