"""checkov on manifests, offline, in its own virtual environment (``.venv-checkov``, built by
``make test`` from requirements-checkov.txt: its pins conflict with Airflow's), and the allow-list
of findings the kit keeps, each with its reason (``tests/checkov-allowlist.yaml``)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

import pytest
import yaml

from .paths import REPO

CHECKOV_VENV = REPO / ".venv-checkov"
ALLOWLIST = REPO / "tests" / "checkov-allowlist.yaml"
# No call home: no Prisma Cloud mappings, guidelines or policy downloads.
OFFLINE = {"BC_SKIP_MAPPING": "TRUE", "CHECKOV_RUN_SCA_PACKAGE_SCAN_V2": "false", "LOG_LEVEL": "WARNING"}
TIMEOUT_SECONDS = 300


@dataclass(frozen=True, order=True)
class Finding:
    stack: str  # the manifest file's name without .yaml
    check: str
    resource: str  # as checkov names it: Kind.namespace.name


@dataclass(frozen=True)
class Scan:
    failed: frozenset[Finding]
    passed: frozenset[Finding]
    summary: dict[str, Any]


def checkov_binary() -> str:
    explicit = os.environ.get("CHECKOV")
    candidate = explicit or str(CHECKOV_VENV / "bin" / "checkov")
    if not Path(candidate).is_file() and not shutil.which(candidate):
        pytest.skip(f"no checkov at {candidate}: run `make test` (it builds .venv-checkov) or set CHECKOV")
    return candidate


def run_checkov(directory: Path) -> Scan:
    """One checkov run over every ``<stack>.yaml`` in ``directory``."""
    done = subprocess.run(
        [checkov_binary(), "--directory", str(directory), "--framework", "kubernetes", "--skip-download", "-o", "json"],
        env={**os.environ, **OFFLINE},
        capture_output=True,
        text=True,
        timeout=TIMEOUT_SECONDS,
        check=False,
    )
    if done.returncode not in (0, 1):  # 1: some check failed
        raise AssertionError(f"checkov failed ({done.returncode}):\n{done.stderr[-4000:]}")
    report = json.loads(done.stdout)
    report = report[0] if isinstance(report, list) else report

    def findings(key: str) -> frozenset[Finding]:
        return frozenset(
            Finding(Path(item["file_path"]).stem, item["check_id"], item["resource"]) for item in report["results"][key]
        )

    return Scan(findings("failed_checks"), findings("passed_checks"), report["summary"])


@dataclass(frozen=True)
class Allowed:
    check: str
    resources: tuple[str, ...]
    stacks: tuple[str, ...]
    reason: str

    def covers(self, finding: Finding) -> bool:
        return finding.check == self.check and finding.stack in self.stacks and self.matching(finding.resource)

    def matching(self, resource: str) -> bool:
        """Resource patterns may use ``*``: the kit's Job names end in a hash of what they apply."""
        return any(fnmatchcase(resource, pattern) for pattern in self.resources)


def allowlist(all_stacks: tuple[str, ...]) -> list[Allowed]:
    """Each entry: ``check``, ``resources``, ``reason``, and ``stacks`` (default: every stack scanned)."""
    entries = yaml.safe_load(ALLOWLIST.read_text())
    return [
        Allowed(
            check=entry["check"],
            resources=tuple(entry["resources"]),
            stacks=tuple(entry.get("stacks", all_stacks)),
            reason=entry["reason"].strip(),
        )
        for entry in entries
    ]
