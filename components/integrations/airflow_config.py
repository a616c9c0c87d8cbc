"""The Airflow config the integrations need: ``{section: {key: scalar}}`` (pure).

Everything here ends up in the chart's ConfigMap, so nothing secret may appear in it:

* the Vault address is secret config, so it is not a ``backend_kwargs`` entry; ``VaultBackend``
  passes no URL to hvac, which then reads ``VAULT_ADDR`` from the pod's environment, filled from
  a Kubernetes Secret (see ``secret_env.py``);
* an OpenLineage transport with an API key is delivered whole as ``AIRFLOW__OPENLINEAGE__TRANSPORT``
  from a Secret, and ``[openlineage] transport`` is then left out of the ConfigMap.
"""

from __future__ import annotations

import json
from typing import Any

from ..config.model import StackConfig

SECRETS_MANAGER_BACKEND = "airflow.providers.amazon.aws.secrets.secrets_manager.SecretsManagerBackend"
VAULT_BACKEND = "airflow.providers.hashicorp.secrets.vault.VaultBackend"

AirflowConfigFragment = dict[str, dict[str, str | int | float | bool]]


def secrets_backend_kwargs(cfg: StackConfig) -> dict[str, Any]:
    """``backend_kwargs`` of the stack's secrets backend (empty for ``none``). Never secret."""
    backend = cfg.secrets_backend
    if backend.type == "aws-secrets-manager":
        if cfg.aws is None:
            raise ValueError("the Secrets Manager backend needs the aws section (an AWS tier)")
        return {
            "connections_prefix": backend.connections_prefix,
            "variables_prefix": backend.variables_prefix,
            "config_prefix": backend.config_prefix,
            "region_name": cfg.aws.region,
        }
    if backend.type == "vault":
        vault = cfg.vault
        return {
            "auth_type": "kubernetes",
            "kubernetes_role": vault.role,
            "auth_mount_point": vault.auth_mount_path,
            "mount_point": vault.kv_mount_point,
            "kv_engine_version": vault.kv_engine_version,
            "connections_path": backend.connections_prefix,
            "variables_path": backend.variables_prefix,
            "config_path": backend.config_prefix,
        }
    return {}


def openlineage_transport(cfg: StackConfig, api_key: str | None = None) -> str:
    """``[openlineage] transport``: HTTP to the configured URL, with the API key when given.

    With an API key the result is secret and must only ever reach a Kubernetes Secret.
    """
    if not cfg.openlineage.url:
        raise ValueError("openlineage.url is required to build the OpenLineage transport")
    transport: dict[str, Any] = {
        "type": "http",
        "url": cfg.openlineage.url,
        "endpoint": cfg.openlineage.endpoint,
    }
    if api_key is not None:
        transport["auth"] = {"type": "api_key", "apiKey": api_key}
    return _single_line_json(transport)


def integrations_airflow_config(cfg: StackConfig) -> AirflowConfigFragment:
    fragment: AirflowConfigFragment = {}
    secrets = _secrets_section(cfg)
    if secrets:
        fragment["secrets"] = secrets
    fragment["openlineage"] = _openlineage_section(cfg)
    return fragment


def _secrets_section(cfg: StackConfig) -> dict[str, str | int | bool]:
    backend = cfg.secrets_backend
    if backend.type == "none":
        return {}
    section: dict[str, str | int | bool] = {
        "backend": SECRETS_MANAGER_BACKEND if backend.type == "aws-secrets-manager" else VAULT_BACKEND,
        "backend_kwargs": _single_line_json(secrets_backend_kwargs(cfg)),
        "use_cache": backend.cache_ttl_seconds > 0,
    }
    if backend.cache_ttl_seconds > 0:
        section["cache_ttl_seconds"] = backend.cache_ttl_seconds
    return section


def _openlineage_section(cfg: StackConfig) -> dict[str, str | bool]:
    lineage = cfg.openlineage
    if not lineage.enabled:
        return {"disabled": True}
    section: dict[str, str | bool] = {"disabled": False, "namespace": lineage.namespace}
    if cfg.secrets.openlineage_api_key is None:
        section["transport"] = openlineage_transport(cfg)
    return section


def _single_line_json(value: dict[str, Any]) -> str:
    """The chart's ``config`` values are scalars: JSON goes in as one line."""
    return json.dumps(value, separators=(",", ":"), sort_keys=True)
