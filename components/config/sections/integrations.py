"""Secrets backends, Slack alerts and OpenLineage."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from ..base import KitModel


class SecretsBackendSection(KitModel):
    type: Literal["none", "aws-secrets-manager", "vault"] = Field(
        description="Where Airflow looks up connections and variables; `none` means Kubernetes Secrets only."
    )
    connections_prefix: str = Field(description="Prefix (Secrets Manager) or path (Vault) of connections.")
    variables_prefix: str = Field(description="Prefix or path of variables.")
    config_prefix: str = Field(description="Prefix or path of Airflow config values.")
    cache_ttl_seconds: Annotated[int, Field(ge=0)] = Field(
        description="`[secrets] cache_ttl_seconds`; 0 turns the lookup cache off."
    )


class VaultSection(KitModel):
    manage: bool = Field(
        default=False, description="Create the Vault policy and Kubernetes auth role with pulumi-vault."
    )
    auth_mount_path: str = Field(default="kubernetes", description="Mount path of Vault's Kubernetes auth method.")
    role: str = Field(description="Vault Kubernetes auth role Airflow logs in with.")
    kv_mount_point: str = Field(default="airflow", description="Mount point of the KV secrets engine.")
    kv_engine_version: Literal[1, 2] = Field(default=2, description="KV engine version.")


class SlackSection(KitModel):
    enabled: bool = Field(description="Post task failures to Slack (needs the secret `slackWebhookUrl`).")
    conn_id: str = Field(
        default="slack_alerts", description="Airflow connection id of the Slack webhook.", pattern=r"^[a-z0-9_]+$"
    )
    notify_on_task_failure: bool = Field(
        default=True, description="Cluster policy: every task without its own `on_failure_callback` notifies Slack."
    )


class OpenLineageSection(KitModel):
    enabled: bool = Field(description="Emit OpenLineage events.")
    url: str | None = Field(
        default=None, description="Base URL of a Marquez-compatible lineage API.", pattern=r"^https?://"
    )
    endpoint: str = Field(default="api/v1/lineage", description="Path of the lineage endpoint.")
    namespace: str = Field(description="OpenLineage namespace. Default: the stack name.")
