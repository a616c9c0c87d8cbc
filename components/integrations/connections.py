"""Where the kit stores the Airflow connections it seeds, and in what form (pure).

A DAG author only uses a connection id; the kit puts the connection where the stack's secrets
backend looks for it. Every store gets the same JSON serialization Airflow reads everywhere
(``Connection.from_json``): Secrets Manager secret string, Vault KV data, ``AIRFLOW_CONN_*``.
"""

from __future__ import annotations

import json
from typing import Literal

from ..config.model import StackConfig

ConnectionStore = Literal["aws-secrets-manager", "vault", "kubernetes"]

SLACK_WEBHOOK_CONN_TYPE = "slackwebhook"


def connection_store(cfg: StackConfig) -> ConnectionStore:
    """The backend the kit writes connections to.

    Vault is written to only when the kit manages it (it holds a token then). Otherwise a
    Kubernetes Secret exposed as ``AIRFLOW_CONN_<ID>`` is used: Airflow's environment-variable
    backend always comes right after the configured backend in its search path.
    """
    backend = cfg.secrets_backend.type
    if backend == "aws-secrets-manager":
        return "aws-secrets-manager"
    if backend == "vault" and cfg.vault.manage:
        return "vault"
    return "kubernetes"


def slack_webhook_connection(webhook_url: str) -> dict[str, str]:
    """The Slack webhook connection: ``SlackWebhookHook`` takes a full URL from the password."""
    return {"conn_type": SLACK_WEBHOOK_CONN_TYPE, "password": webhook_url}


def connection_json(fields: dict[str, str]) -> str:
    return json.dumps(fields, separators=(",", ":"), sort_keys=True)


def secrets_manager_secret_name(cfg: StackConfig, conn_id: str) -> str:
    """``SecretsManagerBackend`` looks up ``<connections_prefix>/<conn_id>`` (its default ``sep``)."""
    return f"{cfg.secrets_backend.connections_prefix.rstrip('/')}/{conn_id}"


def vault_secret_path(cfg: StackConfig, conn_id: str) -> str:
    """Path inside the KV mount where ``VaultBackend`` looks up ``conn_id``."""
    return f"{cfg.secrets_backend.connections_prefix.strip('/')}/{conn_id}"
