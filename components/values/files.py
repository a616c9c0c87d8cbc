"""The static chart values in ``charts-values/``: which files a stack uses, merged in order (pure)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from ..config.model import StackConfig
from ..config.tiers import deep_merge

CHARTS_VALUES_DIR = Path(__file__).resolve().parents[2] / "charts-values"

BASE_FILE = "base.yaml"
EXECUTOR_FILES: dict[str, str] = {
    "CeleryExecutor": "executor-celery.yaml",
    "KubernetesExecutor": "executor-kubernetes.yaml",
    "CeleryExecutor,KubernetesExecutor": "executor-celery-kubernetes.yaml",
    "LocalExecutor": "executor-local.yaml",
}


def values_files(cfg: StackConfig, directory: Path = CHARTS_VALUES_DIR) -> list[Path]:
    """Base, then the executor mode, then the tier overlay when the tier has one."""
    files = [directory / BASE_FILE, directory / EXECUTOR_FILES[cfg.executor]]
    tier_file = directory / f"tier-{cfg.tier}.yaml"
    if tier_file.exists():
        files.append(tier_file)
    return files


def load_values(files: list[Path]) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for path in files:
        document = yaml.safe_load(path.read_text()) or {}
        if not isinstance(document, dict):
            raise ValueError(f"{path}: chart values must be a mapping")
        merged = deep_merge(merged, document)
    return merged
