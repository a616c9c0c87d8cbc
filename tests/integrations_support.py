"""Config builders and Pulumi stand-ins shared by the integrations tests."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

from stack_builders import values

from components.config.errors import PROJECT
from components.config.loader import load_stack_config
from components.config.model import StackConfig
from components.naming import Names

# Sentinels: none of them may ever appear in a registered input, a ConfigMap value or chart values.
SLACK_WEBHOOK = "https://hooks.slack.com/services/T000/B000/SENTINELslackWEBHOOK"
OPENLINEAGE_API_KEY = "SENTINEL-openlineage-api-key"
VAULT_ADDRESS = "https://SENTINEL-vault-address.example.com:8200"
VAULT_TOKEN = "SENTINEL-vault-token"
SENTINELS = ("SENTINELslackWEBHOOK", OPENLINEAGE_API_KEY, "SENTINEL-vault-address", VAULT_TOKEN)

SECRET_CONFIG_KEYS = {"slackWebhookUrl", "openlineageApiKey", "vaultAddress", "vaultToken"}
KMS_KEY_ARN = "arn:aws:kms:eu-west-1:123456789012:key/secrets-0000"


def stack(tier: str, stack_name: str | None = None, **sections: Any) -> StackConfig:
    """A validated stack; keys named like the secret config keys are passed as secrets."""
    raw = values(tier, **sections)
    secret_keys = [key for key in raw if key.split(":", 1)[1] in SECRET_CONFIG_KEYS]
    return load_stack_config(stack_name or tier, raw, secret_keys)


def with_everything(tier: str, **sections: Any) -> StackConfig:
    """Slack and OpenLineage (with an API key) on, every secret set to a sentinel."""
    everything: dict[str, Any] = {
        "slack": {"enabled": True},
        "slackWebhookUrl": SLACK_WEBHOOK,
        "openlineage": {"enabled": True, "url": "https://marquez.example.com"},
        "openlineageApiKey": OPENLINEAGE_API_KEY,
    }
    return stack(tier, **(everything | sections))


def vault_stack(manage: bool, **vault: Any) -> StackConfig:
    """A local stack reading Vault; ``vault`` adds keys of the vault section (camelCase)."""
    extra = {"vaultToken": VAULT_TOKEN} if manage else {}
    return with_everything(
        "local",
        secretsBackend={"type": "vault"},
        vault={"manage": manage, **vault},
        vaultAddress=VAULT_ADDRESS,
        **extra,
    )


def names_of(cfg: StackConfig) -> Names:
    return Names(release=cfg.kubernetes.release_name, namespace=cfg.kubernetes.namespace)


def integrations_program(cfg: StackConfig):
    """A Pulumi program creating only the Integrations component, with stand-ins for its inputs
    (the ``ClusterAccess`` and ``AwsDataPlane`` attributes it reads)."""

    def program() -> None:
        import pulumi
        import pulumi_aws as aws
        import pulumi_kubernetes as kubernetes

        from components.integrations.resources import Integrations

        cluster = SimpleNamespace(
            provider=kubernetes.Provider("cluster"),
            namespace_name=pulumi.Output.from_input(cfg.kubernetes.namespace),
        )
        data_plane = (
            SimpleNamespace(
                provider=aws.Provider("aws", region=cfg.aws.region),
                aws_region=cfg.aws.region,
                secrets_kms_key_arn=pulumi.Output.from_input(KMS_KEY_ARN),
            )
            if cfg.on_aws and cfg.aws is not None
            else None
        )
        Integrations("it", cfg, names_of(cfg), cluster=cluster, data_plane=data_plane)

    return program


def run_integrations(cfg: StackConfig):
    from components.plan.engine import run_under_mocks

    return run_under_mocks(integrations_program(cfg), project=PROJECT, stack=cfg.stack, config={})


def serialized(value: Any) -> str:
    return json.dumps(value, default=str, sort_keys=True)
