"""dbt's documentation site for the current warehouse, as one static page."""

from __future__ import annotations

from pathlib import Path

from dagster_dbt import DbtCliResource

from orchestration.defs.dbt.project import dbt_project
from orchestration.defs.resources import RelaySettings

DOCS_TARGET = Path("target") / "docs"


def generate_dbt_docs() -> Path:
    """Run ``dbt docs generate --static``; returns the page to open in a browser (no server needed)."""
    project = dbt_project()
    RelaySettings().export_for_dbt()
    DbtCliResource(project_dir=project).cli(["docs", "generate", "--static"], target_path=DOCS_TARGET).wait()
    return project.project_dir / DOCS_TARGET / "static_index.html"
