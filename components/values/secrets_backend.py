"""The stack's secrets backend as typed data, and what Airflow is told about it (pure).

Everything here reaches the chart's ConfigMap, so nothing secret may appear in it: the Vault
address is secret config, so it is not a ``backend_kwargs`` entry. ``VaultBackend`` passes no URL
to hvac, which then reads ``VAULT_ADDR`` from the pod's environment, filled from a Kubernetes
Secret (see ``secret_env.py``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import SecretStr

from ..config.model import StackConfig
from ..config.sections.airflow import AirflowOptions
from ..config.sections.aws import AwsSection

SECRETS_MANAGER_BACKEND = "airflow.providers.amazon.aws.secrets.secrets_manager.SecretsManagerBackend"
VAULT_BACKEND = "airflow.providers.hashicorp.secrets.vault.VaultBackend"

ConnectionStore = Literal["aws-secrets-manager", "vault", "kubernetes"]


@dataclass(frozen=True)
class BackendPaths:
    """Prefixes (Secrets Manager) or paths inside the KV mount (Vault) Airflow looks in."""

    connections: str
    variables: str
    config: str

    def all(self) -> tuple[str, str, str]:
        return (self.connections, self.variables, self.config)


@dataclass(frozen=True)
class SecretsManagerBackend:
    paths: BackendPaths
    region: str
    cache_ttl_seconds: int


@dataclass(frozen=True)
class VaultBackend:
    paths: BackendPaths
    address: SecretStr  # reaches pods only as VAULT_ADDR, from a Kubernetes Secret
    role: str
    auth_mount_path: str
    kv_mount_point: str
    kv_engine_version: Literal[1, 2]
    cache_ttl_seconds: int
    # The token the kit manages Vault with (policy, auth role, seeded connections); None when
    # the platform team manages Vault itself.
    management_token: SecretStr | None

    @property
    def data_mount(self) -> str:
        """The API path prefix of secrets: ``<mount>/data`` with KV version 2."""
        mount = self.kv_mount_point.strip("/")
        return f"{mount}/data" if self.kv_engine_version == 2 else mount


SecretsBackend = SecretsManagerBackend | VaultBackend


def secrets_backend(cfg: StackConfig) -> SecretsBackend | None:
    """The stack's backend; None for ``secretsBackend.type: none`` (Kubernetes Secrets only).

    The config rules guarantee the companions each type needs (an AWS section, a Vault address),
    so a backend here is always complete.
    """
    section = cfg.secrets_backend
    paths = BackendPaths(section.connections_prefix, section.variables_prefix, section.config_prefix)
    match section.type, cfg.aws, cfg.secrets.vault_address:
        case "aws-secrets-manager", AwsSection(region=region), _:
            return SecretsManagerBackend(paths, region, section.cache_ttl_seconds)
        case "vault", _, SecretStr() as address:
            vault = cfg.vault
            return VaultBackend(
                paths=paths,
                address=address,
                role=vault.role,
                auth_mount_path=vault.auth_mount_path,
                kv_mount_point=vault.kv_mount_point,
                kv_engine_version=vault.kv_engine_version,
                cache_ttl_seconds=section.cache_ttl_seconds,
                management_token=cfg.secrets.vault_token if vault.manage else None,
            )
    return None


def backend_kwargs(backend: SecretsBackend) -> dict[str, Any]:
    """``[secrets] backend_kwargs`` of the backend. Never secret."""
    if isinstance(backend, SecretsManagerBackend):
        return {
            "connections_prefix": backend.paths.connections,
            "variables_prefix": backend.paths.variables,
            "config_prefix": backend.paths.config,
            "region_name": backend.region,
        }
    return {
        "auth_type": "kubernetes",
        "kubernetes_role": backend.role,
        "auth_mount_point": backend.auth_mount_path,
        "mount_point": backend.kv_mount_point,
        "kv_engine_version": backend.kv_engine_version,
        "connections_path": backend.paths.connections,
        "variables_path": backend.paths.variables,
        "config_path": backend.paths.config,
    }


def secrets_section(backend: SecretsBackend | None) -> AirflowOptions:
    """``[secrets]`` of the Airflow config; empty without a backend."""
    if backend is None:
        return {}
    classpath = SECRETS_MANAGER_BACKEND if isinstance(backend, SecretsManagerBackend) else VAULT_BACKEND
    section: AirflowOptions = {
        "backend": classpath,
        "backend_kwargs": single_line_json(backend_kwargs(backend)),
        "use_cache": backend.cache_ttl_seconds > 0,
    }
    if backend.cache_ttl_seconds > 0:
        section["cache_ttl_seconds"] = backend.cache_ttl_seconds
    return section


def connection_store(backend: SecretsBackend | None) -> ConnectionStore:
    """The backend the kit writes the connections it seeds to.

    Vault is written to only when the kit manages it (it holds a token then). Otherwise a
    Kubernetes Secret exposed as ``AIRFLOW_CONN_<ID>`` is used: Airflow's environment-variable
    backend always comes right after the configured backend in its search path.
    """
    if isinstance(backend, SecretsManagerBackend):
        return "aws-secrets-manager"
    if isinstance(backend, VaultBackend) and backend.management_token is not None:
        return "vault"
    return "kubernetes"


def secrets_manager_secret_name(paths: BackendPaths, conn_id: str) -> str:
    """``SecretsManagerBackend`` looks up ``<connections_prefix>/<conn_id>`` (its default ``sep``)."""
    return f"{paths.connections.rstrip('/')}/{conn_id}"


def vault_secret_path(paths: BackendPaths, conn_id: str) -> str:
    """Path inside the KV mount where ``VaultBackend`` looks up ``conn_id``."""
    return f"{paths.connections.strip('/')}/{conn_id}"


def single_line_json(value: dict[str, Any]) -> str:
    """The chart's ``config`` values are scalars: JSON goes in as one line."""
    return json.dumps(value, separators=(",", ":"), sort_keys=True)
