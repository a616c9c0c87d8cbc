"""The integrations' cloud side: Secrets for the chart, the Slack connection, the Vault role.

Every secret value enters Pulumi wrapped in ``Output.secret``, so it is encrypted in the state
and never shown in a preview.
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as kubernetes
import pulumi_vault as vault

from ..config.model import StackConfig
from ..naming import Names
from .connections import (
    connection_json,
    connection_store,
    secrets_manager_secret_name,
    slack_webhook_connection,
    vault_secret_path,
)
from .secret_env import SecretEnv, secret_envs
from .vault_policy import vault_bound_service_accounts, vault_policy_name, vault_read_policy

# Days a deleted Secrets Manager secret can be restored; re-creating the same name waits as long.
SECRET_RECOVERY_WINDOW_DAYS = 7
VAULT_TOKEN_TTL_SECONDS = 3600


class Integrations(pulumi.ComponentResource):
    """Secrets the chart reads, the Slack connection in the chosen backend, the Vault side.

    ``dependencies`` lists what the Helm release must wait for.
    """

    def __init__(
        self,
        name: str,
        cfg: StackConfig,
        names: Names,
        cluster: Any,
        data_plane: Any | None,
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("airflow-ha:integrations:Integrations", name, None, opts)
        self._prefix = name
        self._config = cfg
        self.dependencies: list[pulumi.Resource] = []

        in_cluster = pulumi.ResourceOptions(parent=self, provider=cluster.provider)
        for env in secret_envs(cfg):
            secret = _kubernetes_secret(f"{name}-{env.secret_purpose}", env, names, cluster, in_cluster)
            self.dependencies.append(secret)

        vault_provider = None
        if cfg.secrets_backend.type == "vault" and cfg.vault.manage:
            vault_provider = self._vault_provider()
            self.dependencies += self._vault_role(names, cluster, vault_provider)

        if cfg.slack.enabled:
            store = connection_store(cfg)
            if store == "aws-secrets-manager":
                self.dependencies.append(self._secrets_manager_slack_connection(data_plane))
            elif store == "vault" and vault_provider is not None:
                self.dependencies.append(self._vault_slack_connection(vault_provider))

        self.register_outputs({"dependencies": [resource.urn for resource in self.dependencies]})

    def _slack_connection_json(self) -> pulumi.Output[str]:
        webhook = self._config.secrets.slack_webhook_url
        if webhook is None:
            raise ValueError("slack.enabled needs the secret slackWebhookUrl")
        return pulumi.Output.secret(connection_json(slack_webhook_connection(webhook.get_secret_value())))

    def _secrets_manager_slack_connection(self, data_plane: Any | None) -> pulumi.Resource:
        cfg = self._config
        if data_plane is None or data_plane.secrets_kms_key_arn is None:
            raise ValueError("the Secrets Manager backend needs the AWS data plane (an AWS tier)")
        # The data plane's provider: same account, region and default tags as the rest of the stack.
        on_aws = pulumi.ResourceOptions(parent=self, provider=data_plane.provider)
        secret = aws.secretsmanager.Secret(
            f"{self._prefix}-slack-connection",
            name=secrets_manager_secret_name(cfg, cfg.slack.conn_id),
            description=f"Airflow connection {cfg.slack.conn_id} (Slack webhook), managed by airflow-ha",
            kms_key_id=data_plane.secrets_kms_key_arn,
            recovery_window_in_days=SECRET_RECOVERY_WINDOW_DAYS,
            opts=on_aws,
        )
        return aws.secretsmanager.SecretVersion(
            f"{self._prefix}-slack-connection-value",
            secret_id=secret.id,
            secret_string=self._slack_connection_json(),
            opts=on_aws,
        )

    def _vault_provider(self) -> vault.Provider:
        secrets = self._config.secrets
        if secrets.vault_address is None or secrets.vault_token is None:
            raise ValueError("vault.manage needs the secrets vaultAddress and vaultToken")
        return vault.Provider(
            f"{self._prefix}-vault",
            address=pulumi.Output.secret(secrets.vault_address.get_secret_value()),
            token=pulumi.Output.secret(secrets.vault_token.get_secret_value()),
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _vault_role(self, names: Names, cluster: Any, provider: vault.Provider) -> list[pulumi.Resource]:
        cfg = self._config
        on_vault = pulumi.ResourceOptions(parent=self, provider=provider)
        policy = vault.Policy(
            f"{self._prefix}-vault-policy", name=vault_policy_name(cfg), policy=vault_read_policy(cfg), opts=on_vault
        )
        role = vault.kubernetes.AuthBackendRole(
            f"{self._prefix}-vault-role",
            backend=cfg.vault.auth_mount_path,
            role_name=cfg.vault.role,
            bound_service_account_names=vault_bound_service_accounts(names),
            bound_service_account_namespaces=[cluster.namespace_name],
            token_policies=[policy.name],
            token_ttl=VAULT_TOKEN_TTL_SECONDS,
            opts=on_vault,
        )
        return [policy, role]

    def _vault_slack_connection(self, provider: vault.Provider) -> pulumi.Resource:
        cfg = self._config
        on_vault = pulumi.ResourceOptions(parent=self, provider=provider)
        path = vault_secret_path(cfg, cfg.slack.conn_id)
        if cfg.vault.kv_engine_version == 2:
            return vault.kv.SecretV2(
                f"{self._prefix}-slack-connection",
                mount=cfg.vault.kv_mount_point,
                name=path,
                data_json=self._slack_connection_json(),
                opts=on_vault,
            )
        return vault.kv.Secret(
            f"{self._prefix}-slack-connection",
            path=f"{cfg.vault.kv_mount_point.strip('/')}/{path}",
            data_json=self._slack_connection_json(),
            opts=on_vault,
        )


def _kubernetes_secret(
    resource_name: str, env: SecretEnv, names: Names, cluster: Any, opts: pulumi.ResourceOptions
) -> kubernetes.core.v1.Secret:
    return kubernetes.core.v1.Secret(
        resource_name,
        metadata=kubernetes.meta.v1.ObjectMetaArgs(
            name=names.secret(env.secret_purpose),
            namespace=cluster.namespace_name,
            labels={"app.kubernetes.io/part-of": "airflow-ha", "app.kubernetes.io/managed-by": "pulumi"},
        ),
        type="Opaque",
        string_data={env.secret_key: pulumi.Output.secret(env.value)},
        opts=opts,
    )
