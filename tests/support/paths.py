"""Where things are: the repository, the shipped stacks, the official chart's files in ../shared."""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared"
STACKS_DIR = REPO / "stacks"
SHIPPED_STACKS: tuple[str, ...] = tuple(
    sorted(path.name.removeprefix("Pulumi.").removesuffix(".yaml") for path in STACKS_DIR.glob("Pulumi.*.yaml"))
)
# The chart's values.schema.json and values.yaml (../shared, or AIRFLOW_CHART_SCHEMA_DIR).
CHART_DIR = Path(os.environ.get("AIRFLOW_CHART_SCHEMA_DIR", SHARED / "airflow-chart-1.22.0"))
# The pristine chart archive the render tests use (../shared, or AIRFLOW_CHART_TGZ).
CHART_ARCHIVE = Path(os.environ.get("AIRFLOW_CHART_TGZ", SHARED / "airflow-1.22.0.tgz"))
