"""The dbt project, prepared once per process: a manifest is parsed on demand (never on import).

``prepare_if_dev`` re-parses under ``dagster dev``; elsewhere the manifest is parsed when it is
missing or older than the project's files, so a fresh clone, the demo and the tests never need a
separate ``dbt parse`` step. Dagster's manifest lives in its own target dir, apart from the one a
person running dbt by hand uses.
"""

from __future__ import annotations

import functools
import shutil
from pathlib import Path

from dagster_dbt import DbtProject

from ingestion.pipelines.targets import REPO_ROOT

DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
SOURCE_DIRS = ("models", "macros", "seeds", "snapshots", "tests")
PARTIAL_PARSE = "partial_parse.msgpack"
KEPT_RUN_TARGETS = 5


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


def run_target_path(run_id: str) -> Path:
    """A target folder for one Dagster run's dbt invocation, under Dagster's own target dir and
    holding Dagster's own partial-parse state.

    Left to itself, dagster-dbt copies ``dbt_project/target/partial_parse.msgpack`` into every
    invocation: the file a person's hand-run dbt wrote, with that run's relative project path, so
    after ``dbt build --project-dir dbt_project`` every seed of the next pipeline run failed with
    "No files found". Seeding the folder first means dagster-dbt copies nothing (it copies only
    into a folder without one). Only the newest few run folders are kept."""
    project = dbt_project()
    own = project.project_dir / project.target_path
    runs = own / "runs"
    target = runs / run_id
    target.mkdir(parents=True, exist_ok=True)
    if (own / PARTIAL_PARSE).exists() and not (target / PARTIAL_PARSE).exists():
        shutil.copy2(own / PARTIAL_PARSE, target / PARTIAL_PARSE)
    older = sorted((p for p in runs.iterdir() if p.is_dir() and p != target), key=lambda p: p.stat().st_mtime)
    for stale in older[: max(0, len(older) - (KEPT_RUN_TARGETS - 1))]:
        shutil.rmtree(stale, ignore_errors=True)
    return target


def keep_partial_parse(target: Path) -> None:
    """Keep a finished run's parse state for the next run (dbt then re-parses only what changed)."""
    project = dbt_project()
    parsed = target / PARTIAL_PARSE
    if parsed.exists():
        shutil.copy2(parsed, project.project_dir / project.target_path / PARTIAL_PARSE)
