"""The stacks the contract tests configure Airflow for: every shipped stack, plus variants."""

from __future__ import annotations

from typing import Any

from stack_builders import shipped, values

from components.config.errors import PROJECT
from components.config.loader import load_stack_config
from components.config.model import StackConfig

SHIPPED_STACKS = ("local", "dev", "staging", "prod")


def shipped_config(stack: str, **secrets: str) -> StackConfig:
    """A shipped stack as Pulumi would load it; ``secrets`` replace its encrypted values."""
    stack_file = shipped(stack)
    raw: dict[str, Any] = dict(stack_file.values)
    raw.update({f"{PROJECT}:{key}": value for key, value in secrets.items()})
    secret_keys = set(stack_file.secret_keys) | {f"{PROJECT}:{key}" for key in secrets}
    return load_stack_config(stack_file.stack, raw, secret_keys)


def vault_config(vault_address: str = "https://vault.example.com:8200", **sections: Any) -> StackConfig:
    """A local stack whose secrets backend is Vault (no shipped stack uses Vault)."""
    raw = values("local", secretsBackend={"type": "vault"}, vaultAddress=vault_address, **sections)
    return load_stack_config("lab", raw, [f"{PROJECT}:vaultAddress"])


def alerting_config(webhook_url: str, lineage_url: str, api_key: str) -> StackConfig:
    """A local stack with Slack failure alerts and OpenLineage (with an API key) on."""
    raw = values(
        "local",
        slack={"enabled": True},
        slackWebhookUrl=webhook_url,
        openlineage={"enabled": True, "url": lineage_url},
        openlineageApiKey=api_key,
    )
    return load_stack_config("lab", raw, [f"{PROJECT}:slackWebhookUrl", f"{PROJECT}:openlineageApiKey"])
