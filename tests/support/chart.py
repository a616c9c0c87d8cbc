"""Composed chart values, the chart's own schema, and rendering the real chart archive."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import jsonschema
import pytest

from components.config.model import StackConfig
from components.tuning.derive import derive_tuning
from components.values.airflow_config import compose_airflow_config
from components.values.chart import compose_chart_values
from components.values.integrations import integration_chart_inputs, integration_specs
from components.values.refs import AwsRefs

from .paths import CHART_ARCHIVE, CHART_DIR
from .stacks import names_of

ROLE_COMPONENTS = ("scheduler", "apiServer", "triggerer", "dagProcessor", "workers")
AWS_REFS = AwsRefs(
    region="eu-west-1",
    logs_bucket="airflow-ha-test-logs",
    role_arns={component: f"arn:aws:iam::123456789012:role/airflow-{component}" for component in ROLE_COMPONENTS},
)
GIT_URL = "https://github.com/example-org/airflow-dags.git"


def refs_for(cfg: StackConfig) -> AwsRefs | None:
    return AWS_REFS if cfg.on_aws else None


def compose(cfg: StackConfig) -> dict[str, Any]:
    """The chart values exactly as the Pulumi layer composes them, with test references."""
    tuning = derive_tuning(cfg)
    refs = refs_for(cfg)
    return compose_chart_values(
        cfg,
        names_of(cfg),
        tuning,
        refs,
        compose_airflow_config(cfg, tuning, refs),
        integration_chart_inputs(integration_specs(cfg), names_of(cfg)),
    )


@cache
def chart_validator() -> jsonschema.Draft7Validator:
    schema = json.loads((CHART_DIR / "values.schema.json").read_text())
    return jsonschema.Draft7Validator(schema)


def schema_errors(chart_values: dict[str, Any]) -> list[str]:
    return [
        f"{'.'.join(map(str, error.absolute_path))}: {error.message}"
        for error in chart_validator().iter_errors(chart_values)
    ]


def chart_archive() -> str:
    """The official chart archive (../shared/airflow-1.22.0.tgz, or AIRFLOW_CHART_TGZ)."""
    if not CHART_ARCHIVE.is_file():
        pytest.skip(
            f"no chart archive at {CHART_ARCHIVE}: set AIRFLOW_CHART_TGZ to airflow-1.22.0.tgz "
            "(helm pull apache-airflow/airflow --version 1.22.0)"
        )
    return str(CHART_ARCHIVE)
