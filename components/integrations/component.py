"""The integrations' cloud side: Secrets for the chart, the Slack connection, the Vault role.

Every secret value enters Pulumi wrapped in ``Output.secret``, so it is encrypted in the state
and never shown in a preview.
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as kubernetes
import pulumi_vault as vault

from ..args import IntegrationsArgs
from ..naming.kubernetes import Names
from ..seams import ClusterConnection, IntegrationsOutputs, KitSecret, SecretsManagerAccess
from ..values.integrations import SecretEnv, secret_envs
from ..values.secrets_backend import (
    SecretsManagerBackend,
    VaultBackend,
    secrets_manager_secret_name,
    vault_secret_path,
)
from ..values.slack import SlackAlerts, slack_connection_json
from ..values.vault_policy import vault_bound_service_accounts, vault_policy_name, vault_read_policy

# The kit writes these secrets from stack config, so a deleted one needs no recovery window, and a
# window would block re-creating the same name after `pulumi destroy` then `up`.
SECRET_RECOVERY_WINDOW_DAYS = 0
VAULT_TOKEN_TTL_SECONDS = 3600


class Integrations(pulumi.ComponentResource):
    """Secrets the chart reads, the Slack connection in the chosen backend, the Vault side.

    ``outputs.release_dependencies`` lists what the Helm release must wait for.
    ``secrets_manager`` is where the Slack connection goes when Airflow reads Secrets Manager.
    """

    def __init__(
        self,
        name: str,
        args: IntegrationsArgs,
        cluster: ClusterConnection,
        secrets_manager: SecretsManagerAccess | None,
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("airflow-ha:integrations:Integrations", name, None, opts)
        self._prefix = name
        specs = args.specs
        created: list[pulumi.Resource] = []
        pod_secrets: list[KitSecret] = []

        in_cluster = pulumi.ResourceOptions(parent=self, provider=cluster.provider)
        for env in secret_envs(specs):
            secret = _kubernetes_secret(f"{name}-{env.secret_purpose}", env, args.names, cluster, in_cluster)
            created.append(secret)
            pod_secrets.append(KitSecret(env.secret_purpose, secret, {env.secret_key: pulumi.Output.secret(env.value)}))

        backend = specs.backend
        if isinstance(backend, VaultBackend) and backend.management_token is not None:
            vault_provider = self._vault_provider(backend, backend.management_token.get_secret_value())
            created += self._vault_role(backend, args.names, cluster, vault_provider)
            if specs.slack is not None:
                created.append(self._vault_slack_connection(backend, specs.slack, vault_provider))
        elif isinstance(backend, SecretsManagerBackend) and secrets_manager is not None and specs.slack is not None:
            created.append(self._secrets_manager_slack_connection(backend, specs.slack, secrets_manager))

        self.outputs = IntegrationsOutputs(release_dependencies=tuple(created), secrets=tuple(pod_secrets))
        self.register_outputs({"dependencies": [resource.urn for resource in created]})

    def _secrets_manager_slack_connection(
        self, backend: SecretsManagerBackend, slack: SlackAlerts, target: SecretsManagerAccess
    ) -> pulumi.Resource:
        # The data plane's provider: same account, region and default tags as the rest of the stack.
        on_aws = pulumi.ResourceOptions(parent=self, provider=target.provider)
        secret = aws.secretsmanager.Secret(
            f"{self._prefix}-slack-connection",
            name=secrets_manager_secret_name(backend.paths, slack.conn_id),
            description=f"Airflow connection {slack.conn_id} (Slack webhook), managed by airflow-ha",
            kms_key_id=target.kms_key_arn,
            recovery_window_in_days=SECRET_RECOVERY_WINDOW_DAYS,
            opts=on_aws,
        )
        return aws.secretsmanager.SecretVersion(
            f"{self._prefix}-slack-connection-value",
            secret_id=secret.id,
            secret_string=pulumi.Output.secret(slack_connection_json(slack)),
            opts=on_aws,
        )

    def _vault_provider(self, backend: VaultBackend, token: str) -> vault.Provider:
        return vault.Provider(
            f"{self._prefix}-vault",
            address=pulumi.Output.secret(backend.address.get_secret_value()),
            token=pulumi.Output.secret(token),
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _vault_role(
        self, backend: VaultBackend, names: Names, cluster: ClusterConnection, provider: vault.Provider
    ) -> list[pulumi.Resource]:
        on_vault = pulumi.ResourceOptions(parent=self, provider=provider)
        policy = vault.Policy(
            f"{self._prefix}-vault-policy",
            name=vault_policy_name(backend),
            policy=vault_read_policy(backend),
            opts=on_vault,
        )
        role = vault.kubernetes.AuthBackendRole(
            f"{self._prefix}-vault-role",
            backend=backend.auth_mount_path,
            role_name=backend.role,
            bound_service_account_names=vault_bound_service_accounts(names),
            bound_service_account_namespaces=[cluster.namespace_name],
            token_policies=[policy.name],
            token_ttl=VAULT_TOKEN_TTL_SECONDS,
            opts=on_vault,
        )
        return [policy, role]

    def _vault_slack_connection(
        self, backend: VaultBackend, slack: SlackAlerts, provider: vault.Provider
    ) -> pulumi.Resource:
        on_vault = pulumi.ResourceOptions(parent=self, provider=provider)
        path = vault_secret_path(backend.paths, slack.conn_id)
        data_json = pulumi.Output.secret(slack_connection_json(slack))
        if backend.kv_engine_version == 2:
            return vault.kv.SecretV2(
                f"{self._prefix}-slack-connection",
                mount=backend.kv_mount_point,
                name=path,
                data_json=data_json,
                opts=on_vault,
            )
        return vault.kv.Secret(
            f"{self._prefix}-slack-connection",
            path=f"{backend.kv_mount_point.strip('/')}/{path}",
            data_json=data_json,
            opts=on_vault,
        )


def _kubernetes_secret(
    resource_name: str, env: SecretEnv, names: Names, cluster: ClusterConnection, opts: pulumi.ResourceOptions
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
