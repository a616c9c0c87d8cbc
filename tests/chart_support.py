"""Stacks, composed chart values and a mocked Airflow deployment, for the chart tests."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import jsonschema
from conftest import CHART_DIR
from stack_builders import shipped, values

from components.config.loader import load_stack_config
from components.config.model import StackConfig
from components.integrations.chart_inputs import integration_chart_inputs
from components.naming import Names
from components.tuning.derive import derive_tuning
from components.values.airflow_config import compose_airflow_config
from components.values.chart import compose_chart_values
from components.values.refs import InfraRefs

ROLE_COMPONENTS = ("scheduler", "apiServer", "triggerer", "dagProcessor", "workers")
AWS_REFS = InfraRefs(
    aws_region="eu-west-1",
    logs_bucket="airflow-ha-test-logs",
    role_arns={component: f"arn:aws:iam::123456789012:role/airflow-{component}" for component in ROLE_COMPONENTS},
)
GIT_URL = "https://github.com/example-org/airflow-dags.git"
SECRET_CONFIG_KEYS = {"dagsGitToken", "slackWebhookUrl", "openlineageApiKey", "vaultAddress", "vaultToken"}

# Sentinels: none of them may ever reach a registered input in the clear.
DB_PASSWORD = "SENTINEL-db-password/with:chars@"
BROKER_TOKEN = "SENTINEL-broker-token"
GIT_TOKEN = "SENTINEL-git-token"


def stack(tier: str, stack_name: str | None = None, **sections: Any) -> StackConfig:
    raw = values(tier, **sections)
    secret_keys = [key for key in raw if key.split(":", 1)[1] in SECRET_CONFIG_KEYS]
    return load_stack_config(stack_name or tier, raw, secret_keys)


def shipped_stack(name: str) -> StackConfig:
    stack_file = shipped(name)
    return load_stack_config(stack_file.stack, stack_file.values, stack_file.secret_keys)


def names_of(cfg: StackConfig) -> Names:
    return Names(release=cfg.kubernetes.release_name, namespace=cfg.kubernetes.namespace)


def refs_for(cfg: StackConfig) -> InfraRefs:
    return AWS_REFS if cfg.on_aws else InfraRefs()


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
        integration_chart_inputs(cfg, names_of(cfg)),
    )


@cache
def chart_validator() -> jsonschema.Draft7Validator:
    schema = json.loads((Path(CHART_DIR) / "values.schema.json").read_text())
    return jsonschema.Draft7Validator(schema)


def schema_errors(chart_values: dict[str, Any]) -> list[str]:
    return [
        f"{'.'.join(map(str, error.absolute_path))}: {error.message}"
        for error in chart_validator().iter_errors(chart_values)
    ]


def data_plane_stand_in(cfg: StackConfig, db_password: str = DB_PASSWORD) -> SimpleNamespace:
    """What ``AwsDataPlane`` exposes to the Kubernetes layer, with sentinel credentials."""
    import pulumi

    return SimpleNamespace(
        database_host=pulumi.Output.from_input("airflow.c9akciq32.eu-west-1.rds.amazonaws.com"),
        database_port=pulumi.Output.from_input(5432),
        database_name="airflow",
        database_username="airflow",
        database_password=pulumi.Output.secret(db_password),
        broker_url=pulumi.Output.secret(f"rediss://:{BROKER_TOKEN}@master.redis.example:6379/0?ssl_cert_reqs=required")
        if cfg.uses_celery
        else None,
        logs_bucket_name=pulumi.Output.from_input(AWS_REFS.logs_bucket),
        role_arns={component: pulumi.Output.from_input(arn) for component, arn in AWS_REFS.role_arns.items()},
        cluster_name="data-platform",
        cluster_endpoint=pulumi.Output.from_input("https://EXAMPLE.gr7.eu-west-1.eks.amazonaws.com"),
        cluster_ca_data=pulumi.Output.from_input("LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg=="),
        aws_region="eu-west-1",
    )


def airflow_program(cfg: StackConfig, db_password: str = DB_PASSWORD):
    """A Pulumi program with only the Kubernetes layer: ClusterAccess and AirflowOnKubernetes,
    fed by stand-ins of the AWS data plane and the integrations."""

    def program() -> None:
        import pulumi

        from components.kubernetes import AirflowOnKubernetes, ClusterAccess

        names = names_of(cfg)
        data_plane = data_plane_stand_in(cfg, db_password) if cfg.on_aws else None
        cluster = ClusterAccess("test-cluster", cfg, names, data_plane)
        airflow = AirflowOnKubernetes(
            "test-airflow",
            cfg,
            names,
            derive_tuning(cfg),
            cluster=cluster,
            data_plane=data_plane,
            integrations=SimpleNamespace(dependencies=[]),
        )
        pulumi.export("releaseName", airflow.release_name)

    return program
