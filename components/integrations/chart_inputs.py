"""What the integrations add to the chart's values: ``env``, ``secret``, ``airflowLocalSettings`` (pure)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..config.model import StackConfig
from ..naming import Names
from .secret_env import secret_envs

# The cluster policy, shipped verbatim as the chart's airflowLocalSettings.
AIRFLOW_LOCAL_SETTINGS_FILE = Path(__file__).resolve().parents[2] / "charts-values" / "airflow_local_settings.py"
# Read by airflow_local_settings.py: the Slack connection id, and the switch of the policy.
FAILURE_ALERTS_CONN_ID_ENV = "AIRFLOW_HA_FAILURE_ALERTS_SLACK_CONN_ID"


@dataclass(frozen=True)
class IntegrationChartInputs:
    env: list[dict[str, str]]  # chart `env`: {name, value}
    secret_env: list[dict[str, str]]  # chart `secret`: {envName, secretName, secretKey}
    airflow_local_settings: str | None  # chart `airflowLocalSettings`


def failure_alerts_on(cfg: StackConfig) -> bool:
    return cfg.slack.enabled and cfg.slack.notify_on_task_failure


def integration_chart_inputs(cfg: StackConfig, names: Names) -> IntegrationChartInputs:
    alerts = failure_alerts_on(cfg)
    return IntegrationChartInputs(
        env=[{"name": FAILURE_ALERTS_CONN_ID_ENV, "value": cfg.slack.conn_id}] if alerts else [],
        secret_env=[
            {"envName": env.env_name, "secretName": names.secret(env.secret_purpose), "secretKey": env.secret_key}
            for env in secret_envs(cfg)
        ],
        airflow_local_settings=AIRFLOW_LOCAL_SETTINGS_FILE.read_text() if alerts else None,
    )
