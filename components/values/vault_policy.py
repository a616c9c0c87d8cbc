"""The Vault side of the secrets backend, as plain data (pure).

Airflow only reads: the policy grants ``read`` on the three paths ``VaultBackend`` looks in
(connections, variables, config) and nothing else. With KV version 2 the API path of a secret
is ``<mount>/data/<path>``, which is what a policy must name.
"""

from __future__ import annotations

from ..config.registry import SERVICE_ACCOUNT_COMPONENTS
from ..naming.kubernetes import Names
from .secrets_backend import VaultBackend


def vault_policy_name(backend: VaultBackend) -> str:
    return f"{backend.role}-read"


def vault_read_paths(backend: VaultBackend) -> list[str]:
    """Policy paths (globs) covering every secret Airflow may look up."""
    return [f"{backend.data_mount}/{prefix.strip('/')}/*" for prefix in backend.paths.all()]


def vault_read_policy(backend: VaultBackend) -> str:
    """HCL of the read-only policy."""
    return "\n".join(f'path "{path}" {{\n  capabilities = ["read"]\n}}\n' for path in vault_read_paths(backend))


def vault_bound_service_accounts(names: Names) -> list[str]:
    return [names.service_account(component) for component in SERVICE_ACCOUNT_COMPONENTS]
