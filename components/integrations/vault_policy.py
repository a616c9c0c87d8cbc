"""The Vault side of the secrets backend, as plain data (pure).

Airflow only reads: the policy grants ``read`` on the three paths ``VaultBackend`` looks in
(connections, variables, config) and nothing else. With KV version 2 the API path of a secret
is ``<mount>/data/<path>``, which is what a policy must name.
"""

from __future__ import annotations

from ..config.model import StackConfig
from ..naming import AIRFLOW_COMPONENTS, Names


def vault_policy_name(cfg: StackConfig) -> str:
    return f"{cfg.vault.role}-read"


def vault_read_paths(cfg: StackConfig) -> list[str]:
    """Policy paths (globs) covering every secret Airflow may look up."""
    mount = cfg.vault.kv_mount_point.strip("/")
    data = f"{mount}/data" if cfg.vault.kv_engine_version == 2 else mount
    backend = cfg.secrets_backend
    prefixes = (backend.connections_prefix, backend.variables_prefix, backend.config_prefix)
    return [f"{data}/{prefix.strip('/')}/*" for prefix in prefixes]


def vault_read_policy(cfg: StackConfig) -> str:
    """HCL of the read-only policy."""
    return "\n".join(f'path "{path}" {{\n  capabilities = ["read"]\n}}\n' for path in vault_read_paths(cfg))


def vault_bound_service_accounts(names: Names) -> list[str]:
    return [names.service_account(component) for component in AIRFLOW_COMPONENTS]
