"""The dbt project, prepared once per process: a manifest is parsed on demand (never on import).

``prepare_if_dev`` re-parses under ``dagster dev``; elsewhere the manifest is parsed when it is
missing or older than the project's files, so a fresh clone, the demo and the tests never need a
separate ``dbt parse`` step. Dagster's manifest lives in its own target dir, apart from the one a
person running dbt by hand uses.
"""

from __future__ import annotations

import functools
from pathlib import Path

from dagster_dbt import DbtProject

from ingestion.pipelines.targets import REPO_ROOT

DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
SOURCE_DIRS = ("models", "macros", "seeds", "snapshots", "tests")


@functools.cache
def dbt_project() -> DbtProject:
    project = DbtProject(project_dir=DBT_PROJECT_DIR, target_path=Path("target") / "dagster")
    project.prepare_if_dev()
    if _stale(project):
        project.preparer.prepare(project)
    return project


def _stale(project: DbtProject) -> bool:
    manifest = project.manifest_path
    if not manifest.exists():
        return True
    built = manifest.stat().st_mtime
    files = [project.project_dir / "dbt_project.yml", project.project_dir / "profiles.yml"]
    for folder in SOURCE_DIRS:
        files.extend(p for p in (project.project_dir / folder).rglob("*") if p.is_file())
    return any(f.exists() and f.stat().st_mtime > built for f in files)
