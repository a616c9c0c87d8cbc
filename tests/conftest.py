"""Shared test helpers: the shipped stacks and small config builders."""

from __future__ import annotations

import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

SHIPPED_STACKS = ("local", "dev", "staging", "prod")
CHART_DIR = Path(os.environ.get("AIRFLOW_CHART_SCHEMA_DIR", REPO.parent / "shared" / "airflow-chart-1.22.0"))
