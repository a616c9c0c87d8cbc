"""Preflight checks of Vault through hvac: health, the Kubernetes auth mount, the KV mount and its version.

The stack file holds the Vault address only encrypted (``vaultAddress``), so the check reads
``VAULT_ADDR`` and ``VAULT_TOKEN`` from the environment, as the vault CLI does.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

from ..context import Stack
from .checks import Finding, failed, guarded, passed, warned


def vault_findings(stack: Stack) -> Iterator[Finding]:
    address = os.environ.get("VAULT_ADDR")
    if not address:
        yield failed(
            "vault", "address", "VAULT_ADDR is not set", "export VAULT_ADDR=<the stack's vaultAddress> and run again"
        )
        return
    yield from guarded("vault", "health", lambda: _vault(stack, address, os.environ.get("VAULT_TOKEN")))


def _vault(stack: Stack, address: str, token: str | None) -> Iterator[Finding]:
    import hvac

    client = hvac.Client(url=address, token=token, timeout=10)
    health = client.sys.read_health_status(method="GET")
    body = health if isinstance(health, dict) else health.json()
    if not body.get("initialized", False) or body.get("sealed", True):
        yield failed(
            "vault",
            "health",
            f"{address}: initialized={body.get('initialized')}, sealed={body.get('sealed')}",
            "initialize and unseal Vault before Airflow needs it",
        )
        return
    yield passed("vault", "health", f"{address}: unsealed, version {body.get('version', '?')}")
    if not token:
        yield warned(
            "vault",
            "mounts",
            "not checked without a token",
            "export VAULT_TOKEN with read access to sys/auth and sys/mounts",
        )
        return
    vault = stack.config.vault
    auth = client.sys.list_auth_methods()
    auth_mounts = auth.get("data", auth)
    mount = auth_mounts.get(f"{vault.auth_mount_path}/")
    if mount is None or mount.get("type") != "kubernetes":
        yield failed(
            "vault",
            "kubernetes auth",
            f"no Kubernetes auth method at auth/{vault.auth_mount_path}"
            + (f" (it is {mount.get('type')})" if mount else ""),
            f"vault auth enable -path={vault.auth_mount_path} kubernetes, or set airflow-ha:vault.authMountPath",
        )
    else:
        yield passed("vault", "kubernetes auth", f"auth/{vault.auth_mount_path} is a Kubernetes auth method")
    engines = client.sys.list_mounted_secrets_engines()
    secret_mounts = engines.get("data", engines)
    kv = secret_mounts.get(f"{vault.kv_mount_point}/")
    version = str((kv or {}).get("options", {}).get("version", "1")) if kv else None
    if kv is None or kv.get("type") not in ("kv", "generic"):
        yield failed(
            "vault",
            "KV mount",
            f"no KV secrets engine at {vault.kv_mount_point}/",
            f"vault secrets enable -path={vault.kv_mount_point} -version={vault.kv_engine_version} kv",
        )
    elif version != str(vault.kv_engine_version):
        yield failed(
            "vault",
            "KV mount",
            f"{vault.kv_mount_point}/ is KV version {version}; airflow-ha:vault.kvEngineVersion is "
            f"{vault.kv_engine_version}",
            "set airflow-ha:vault.kvEngineVersion to the mount's version",
        )
    else:
        yield passed("vault", "KV mount", f"{vault.kv_mount_point}/ is KV version {version}")
