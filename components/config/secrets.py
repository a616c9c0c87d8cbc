"""The values that must come from `pulumi config set --secret`.

Pulumi marks secrecy per top-level key, so each secret is a top-level key of its own: a secret
nested in an object would make the whole object secret. Values are ``SecretStr``: never printed.
"""

from __future__ import annotations

from pydantic import Field, SecretStr

from .base import KitModel


class Secrets(KitModel):
    slack_webhook_url: SecretStr | None = Field(
        default=None,
        description="Slack incoming-webhook URL; stored as the Airflow connection `slack.connId`.",
    )
    openlineage_api_key: SecretStr | None = Field(
        default=None,
        description="API key of the lineage endpoint; reaches Airflow through a Kubernetes Secret only.",
    )
    vault_address: SecretStr | None = Field(
        default=None,
        description="Vault address, for Airflow's VaultBackend and for the kit when it manages Vault.",
    )
    vault_token: SecretStr | None = Field(
        default=None,
        description="Vault token the kit uses to create the policy and auth role (`vault.manage: true`).",
    )
    dags_git_token: SecretStr | None = Field(
        default=None,
        description="HTTPS token for a private DAG repository (`git-bundle`, `git-sync`).",
    )


SECRET_KEYS: tuple[str, ...] = tuple(field.alias or name for name, field in Secrets.model_fields.items())
