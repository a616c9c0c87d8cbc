"""Environment variables that carry secrets into every Airflow container (pure).

Each one is a key of a Kubernetes Secret the kit creates, listed in the chart's ``secret``
value, so the value never reaches the chart's ConfigMap or the Helm release's values.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import SecretStr

from ..config.model import StackConfig
from ..naming import connection_env_name
from .airflow_config import openlineage_transport
from .connections import connection_json, connection_store, slack_webhook_connection

VAULT_ADDRESS_ENV = "VAULT_ADDR"  # hvac reads it when VaultBackend is given no url
OPENLINEAGE_TRANSPORT_ENV = "AIRFLOW__OPENLINEAGE__TRANSPORT"


@dataclass(frozen=True)
class SecretEnv:
    env_name: str
    secret_purpose: str  # the Secret is named ``names.secret(secret_purpose)``
    secret_key: str
    value: str = field(repr=False)


def secret_envs(cfg: StackConfig) -> list[SecretEnv]:
    envs: list[SecretEnv] = []
    if cfg.secrets_backend.type == "vault":
        address = _required(cfg.secrets.vault_address, "vaultAddress")
        envs.append(SecretEnv(VAULT_ADDRESS_ENV, "vault-address", "address", address))
    if cfg.openlineage.enabled and cfg.secrets.openlineage_api_key is not None:
        transport = openlineage_transport(cfg, cfg.secrets.openlineage_api_key.get_secret_value())
        envs.append(SecretEnv(OPENLINEAGE_TRANSPORT_ENV, "openlineage-transport", "transport", transport))
    if cfg.slack.enabled and connection_store(cfg) == "kubernetes":
        webhook = _required(cfg.secrets.slack_webhook_url, "slackWebhookUrl")
        envs.append(
            SecretEnv(
                connection_env_name(cfg.slack.conn_id),
                "slack-connection",
                "connection",
                connection_json(slack_webhook_connection(webhook)),
            )
        )
    return envs


def _required(value: SecretStr | None, key: str) -> str:
    if value is None:
        raise ValueError(f"the secret config value {key} is required here")
    return value.get_secret_value()
