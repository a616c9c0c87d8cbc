"""Stacks with every integration on, with sentinel secrets that must never appear in the clear."""

from __future__ import annotations

import json
from typing import Any

from components.config.model import StackConfig
from components.plan.engine import EngineRun

from .programs import integrations_program, run_program
from .stacks import stack

# Sentinels: none of them may ever appear in a registered input, a ConfigMap value or chart values.
SLACK_WEBHOOK = "https://hooks.slack.com/services/T000/B000/SENTINELslackWEBHOOK"
OPENLINEAGE_API_KEY = "SENTINEL-openlineage-api-key"
VAULT_ADDRESS = "https://SENTINEL-vault-address.example.com:8200"
VAULT_TOKEN = "SENTINEL-vault-token"
SENTINELS = ("SENTINELslackWEBHOOK", OPENLINEAGE_API_KEY, "SENTINEL-vault-address", VAULT_TOKEN)


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
    """A local stack reading Vault, with everything on; ``vault`` adds keys of the vault section (camelCase)."""
    extra = {"vaultToken": VAULT_TOKEN} if manage else {}
    return with_everything(
        "local",
        secretsBackend={"type": "vault"},
        vault={"manage": manage, **vault},
        vaultAddress=VAULT_ADDRESS,
        **extra,
    )


def vault_config(vault_address: str = "https://vault.example.com:8200", **sections: Any) -> StackConfig:
    """A local stack whose secrets backend is Vault (no shipped stack uses Vault)."""
    return stack("local", "lab", secretsBackend={"type": "vault"}, vaultAddress=vault_address, **sections)


def alerting_config(webhook_url: str, lineage_url: str, api_key: str) -> StackConfig:
    """A local stack with Slack failure alerts and OpenLineage (with an API key) on."""
    return stack(
        "local",
        "lab",
        slack={"enabled": True},
        slackWebhookUrl=webhook_url,
        openlineage={"enabled": True, "url": lineage_url},
        openlineageApiKey=api_key,
    )


def run_integrations(cfg: StackConfig) -> EngineRun:
    return run_program(cfg, integrations_program(cfg))


def serialized(value: Any) -> str:
    return json.dumps(value, default=str, sort_keys=True)
