"""Plan one stack: validate its config, run the real program under mocks, gather the figures."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..config.errors import PROJECT
from ..config.model import StackConfig
from ..config.stackfile import StackFile
from ..program import main as program
from ..tuning.capacity import capacity_report
from ..tuning.derive import derive_tuning
from ..validation import validated_stack_config
from .engine import Registration, run_under_mocks

HELM_RELEASE = "kubernetes:helm.sh/v3:Release"


@dataclass(frozen=True)
class Plan:
    config: StackConfig
    resources: list[Registration]
    chart_values: dict[str, Any]
    capacity: dict[str, Any]
    warnings: list[str]  # what `pulumi up` would warn about (renamed keys still in use)

    @property
    def stack(self) -> str:
        return self.config.stack

    @property
    def release_name(self) -> str:
        return self.config.kubernetes.release_name

    @property
    def namespace(self) -> str:
        return self.config.kubernetes.namespace

    @property
    def airflow_config(self) -> dict[str, dict[str, Any]]:
        return self.chart_values.get("config", {})

    def as_json(self) -> dict[str, Any]:
        return {
            "stack": self.stack,
            "warnings": self.warnings,
            # Registration order depends on how Outputs resolve; sorted, two plans diff cleanly.
            "resources": [r.as_plan() for r in sorted(self.resources, key=lambda r: r.urn)],
            "airflowConfig": self.airflow_config,
            "chartValues": self.chart_values,
            "capacity": self.capacity,
        }


def plan_stack(stack_file: StackFile) -> Plan:
    """Raises ``ConfigError`` (every problem at once) before anything is registered."""
    # The program validates again under the mock engine and logs its own warnings: none here.
    cfg = validated_stack_config(stack_file.stack, stack_file.values, stack_file.secret_keys, warn=lambda _: None)
    run = run_under_mocks(
        program,
        project=PROJECT,
        stack=stack_file.stack,
        config=stack_file.values,
        secret_keys=stack_file.secret_keys,
    )
    releases = run.of_type(HELM_RELEASE)
    if len(releases) != 1:
        raise RuntimeError(f"expected one Helm release in the program, found {len(releases)}")
    return Plan(
        config=cfg,
        resources=run.registrations,
        chart_values=releases[0].inputs.get("values", {}),
        capacity=capacity_report(cfg, derive_tuning(cfg)),
        warnings=run.warnings,
    )
