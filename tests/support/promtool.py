"""promtool (Debian's prometheus package): rule syntax and rule behaviour on synthetic series, offline."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from components.config.model import StackConfig
from components.naming.kubernetes import Names
from components.tuning.derive import derive_tuning
from components.values.monitoring import monitoring_manifests

PROMTOOL_TIMEOUT_SECONDS = 120


def promtool() -> str:
    found = shutil.which("promtool")
    if found is None:
        pytest.skip("promtool is not installed: apt-get install prometheus (.ci/system-packages.txt)")
    return found


def prometheus_rule(cfg: StackConfig) -> dict[str, Any]:
    """The PrometheusRule the stack applies (monitoring on or not: the rules are the same)."""
    names = Names(cfg.kubernetes.release_name, cfg.kubernetes.namespace)
    manifests = monitoring_manifests(cfg, names, derive_tuning(cfg))
    [rule] = [m for m in manifests.custom_resources if m["kind"] == "PrometheusRule"]
    return rule


def write_rules(cfg: StackConfig, folder: Path) -> Path:
    path = folder / f"{cfg.stack}.rules.yml"
    path.write_text(yaml.safe_dump(prometheus_rule(cfg)["spec"], sort_keys=False))
    return path


def run_promtool(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [promtool(), *args], cwd=cwd, capture_output=True, text=True, timeout=PROMTOOL_TIMEOUT_SECONDS, check=False
    )
