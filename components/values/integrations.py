"""The integrations of one stack (secrets backend, Slack, OpenLineage) and what they add to
Airflow's config and the chart's values: ``env``, ``secret``, ``airflowLocalSettings`` (pure).

``integration_specs`` is the one place the stack config is read for them; everything else here
and in the Pulumi layer works from its typed result.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..config.model import StackConfig
from ..config.sections.airflow import AirflowConfig
from ..naming.kubernetes import Names, connection_env_name
from .openlineage import OpenLineageTarget, openlineage_section, openlineage_target, openlineage_transport
from .secrets_backend import SecretsBackend, VaultBackend, connection_store, secrets_backend, secrets_section
from .slack import SlackAlerts, slack_alerts, slack_connection_json

# The cluster policy, shipped verbatim as the chart's airflowLocalSettings.
AIRFLOW_LOCAL_SETTINGS_FILE = Path(__file__).resolve().parents[2] / "charts-values" / "airflow_local_settings.py"
# Read by airflow_local_settings.py: the Slack connection id, and the switch of the policy.
FAILURE_ALERTS_CONN_ID_ENV = "AIRFLOW_HA_FAILURE_ALERTS_SLACK_CONN_ID"
VAULT_ADDRESS_ENV = "VAULT_ADDR"  # hvac reads it when VaultBackend is given no url
OPENLINEAGE_TRANSPORT_ENV = "AIRFLOW__OPENLINEAGE__TRANSPORT"


@dataclass(frozen=True)
class IntegrationSpecs:
    backend: SecretsBackend | None
    slack: SlackAlerts | None
    openlineage: OpenLineageTarget | None

    @property
    def failure_alerts(self) -> SlackAlerts | None:
        """The Slack alerts the cluster policy sends, when it sends them."""
        return self.slack if self.slack is not None and self.slack.notify_on_task_failure else None


def integration_specs(cfg: StackConfig) -> IntegrationSpecs:
    return IntegrationSpecs(secrets_backend(cfg), slack_alerts(cfg), openlineage_target(cfg))


@dataclass(frozen=True)
class SecretEnv:
    """An environment variable every Airflow container reads from a key of a kit Secret, so its
    value never reaches the chart's ConfigMap or the Helm release's values."""

    env_name: str
    secret_purpose: str  # the Secret is named ``names.secret(secret_purpose)``
    secret_key: str
    value: str = field(repr=False)


def secret_envs(specs: IntegrationSpecs) -> list[SecretEnv]:
    envs: list[SecretEnv] = []
    if isinstance(specs.backend, VaultBackend):
        envs.append(SecretEnv(VAULT_ADDRESS_ENV, "vault-address", "address", specs.backend.address.get_secret_value()))
    lineage = specs.openlineage
    if lineage is not None and lineage.api_key is not None:
        transport = openlineage_transport(lineage, with_api_key=True)
        envs.append(SecretEnv(OPENLINEAGE_TRANSPORT_ENV, "openlineage-transport", "transport", transport))
    if specs.slack is not None and connection_store(specs.backend) == "kubernetes":
        envs.append(
            SecretEnv(
                connection_env_name(specs.slack.conn_id),
                "slack-connection",
                "connection",
                slack_connection_json(specs.slack),
            )
        )
    return envs


def integrations_airflow_config(specs: IntegrationSpecs) -> AirflowConfig:
    fragment: AirflowConfig = {}
    secrets = secrets_section(specs.backend)
    if secrets:
        fragment["secrets"] = secrets
    fragment["openlineage"] = openlineage_section(specs.openlineage)
    return fragment


@dataclass(frozen=True)
class IntegrationChartInputs:
    env: list[dict[str, str]]  # chart `env`: {name, value}
    secret_env: list[dict[str, str]]  # chart `secret`: {envName, secretName, secretKey}
    airflow_local_settings: str | None  # chart `airflowLocalSettings`


def integration_chart_inputs(specs: IntegrationSpecs, names: Names) -> IntegrationChartInputs:
    alerts = specs.failure_alerts
    return IntegrationChartInputs(
        env=[{"name": FAILURE_ALERTS_CONN_ID_ENV, "value": alerts.conn_id}] if alerts else [],
        secret_env=[
            {"envName": env.env_name, "secretName": names.secret(env.secret_purpose), "secretKey": env.secret_key}
            for env in secret_envs(specs)
        ],
        airflow_local_settings=AIRFLOW_LOCAL_SETTINGS_FILE.read_text() if alerts else None,
    )
