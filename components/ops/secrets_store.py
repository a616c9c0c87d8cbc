"""Connections and variables where the stack's Airflow secrets backend reads them, in its format.

The paths and formats are the backends' own (apache-airflow-providers-amazon and -hashicorp):

- Secrets Manager (``SecretsManagerBackend``, separator ``/``): ``<connectionsPrefix>/<conn_id>`` holds
  a connection URI or a JSON object of its fields; ``<variablesPrefix>/<key>`` holds the value as is.
- Vault (``VaultBackend``): under the KV mount (version 1 or 2), ``<connectionsPrefix>/<conn_id>``
  holds the connection's fields, or ``{"conn_uri": ...}``; ``<variablesPrefix>/<key>`` holds
  ``{"value": ...}``.

The prefixes come from ``secretsBackend`` in the stack file, the region from ``aws.region``, the
KV mount and version from ``vault``: exactly what ``components/values/secrets_backend.py`` hands Airflow.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from ..config.model import StackConfig
from .context import Stack
from .errors import Exit, OpsError, bad_input

Kind = Literal["connection", "variable"]
KINDS: tuple[Kind, ...] = ("connection", "variable")

# The fields Airflow's `Connection.from_json` takes (SecretsManagerBackend keeps these and drops the rest).
CONNECTION_FIELDS = ("conn_type", "host", "login", "password", "schema", "port", "extra")
VAULT_URI_FIELD = "conn_uri"
VAULT_VARIABLE_FIELD = "value"


class SecretStore(Protocol):
    """Where the stack's Airflow reads connections and variables."""

    @property
    def description(self) -> str: ...

    def location(self, kind: Kind, key: str) -> str: ...

    def read(self, kind: Kind, key: str) -> str | None: ...

    def write(self, kind: Kind, key: str, value: str) -> None: ...

    def keys(self, kind: Kind) -> list[str]: ...


def connection_value(uri: str | None, fields_json: str | None) -> str:
    """What to store for a connection given as a URI or as JSON fields; refuses what Airflow could not read."""
    if (uri is None) == (fields_json is None):
        raise bad_input("give the connection as --uri or as --json (one of them)", "'-' reads it from stdin")
    if uri is not None:
        problem = connection_problem(uri)
        if problem:
            raise bad_input(f"--uri {problem}", "write it as <conn-type>://<login>:<password>@<host>:<port>/<schema>")
        return uri.strip()
    assert fields_json is not None
    problem = connection_problem(fields_json)
    if problem:
        raise bad_input(
            f"--json {problem}", f"give a JSON object with conn_type and any of {', '.join(CONNECTION_FIELDS)}"
        )
    fields = json.loads(fields_json)
    return json.dumps({key: fields[key] for key in CONNECTION_FIELDS if fields.get(key) is not None}, sort_keys=True)


def connection_problem(value: str, conn_type: str | None = None) -> str | None:
    """Why Airflow could not use ``value`` as a connection (of ``conn_type``, when one is required); None if it can."""
    text = value.strip()
    if text.startswith("{"):
        try:
            fields = json.loads(text)
        except json.JSONDecodeError as error:
            return f"is not valid JSON ({error.msg} at character {error.pos})"
        if not isinstance(fields, dict):
            return "is not a JSON object"
        unknown = sorted(set(fields) - set(CONNECTION_FIELDS) - {"description"})
        if unknown:
            return f"has fields Airflow does not read: {', '.join(unknown)}"
        found_type = fields.get("conn_type")
        if not isinstance(found_type, str) or not found_type:
            return "has no conn_type"
        port = fields.get("port")
        if port is not None and not str(port).isdigit():
            return f"has a port that is not a number: {port!r}"
        extra = fields.get("extra")
        if isinstance(extra, str) and extra:
            try:
                json.loads(extra)
            except json.JSONDecodeError:
                return "has an extra that is not JSON"
    else:
        scheme, separator, _rest = text.partition("://")
        if not separator or not scheme:
            return "is neither a connection URI (<conn-type>://...) nor a JSON object"
        found_type = scheme.replace("-", "_")
    if conn_type is not None and found_type != conn_type:
        return f"is a {found_type!r} connection, not {conn_type!r}"
    return None


def masked_connection(value: str) -> dict[str, Any]:
    """A connection as fields an operator may see: the password replaced."""
    text = value.strip()
    if text.startswith("{"):
        fields = dict(json.loads(text))
        if fields.get("password"):
            fields["password"] = "***"
        return fields
    scheme, _, rest = text.partition("://")
    credentials, at, host = rest.rpartition("@")
    if at and ":" in credentials:
        credentials = credentials.split(":", 1)[0] + ":***"
    return {"uri": f"{scheme}://{credentials}{at}{host}"}


@dataclass(frozen=True)
class Prefixes:
    connections: str
    variables: str

    def of(self, kind: Kind) -> str:
        return (self.connections if kind == "connection" else self.variables).strip("/")


class SecretsManagerStore:
    """``SecretsManagerBackend``'s secrets, encrypted with the kit's KMS key (the one the IRSA roles may use)."""

    def __init__(self, client: Any, prefixes: Prefixes, kms_key_id: str, tags: dict[str, str]):
        self.client = client
        self.prefixes = prefixes
        self.kms_key_id = kms_key_id
        self.tags = tags

    @property
    def description(self) -> str:
        return "AWS Secrets Manager"

    def location(self, kind: Kind, key: str) -> str:
        return f"{self.prefixes.of(kind)}/{key}"

    def read(self, kind: Kind, key: str) -> str | None:
        try:
            response = self.client.get_secret_value(SecretId=self.location(kind, key))
        except self.client.exceptions.ResourceNotFoundException:
            return None
        return str(response["SecretString"])

    def write(self, kind: Kind, key: str, value: str) -> None:
        name = self.location(kind, key)
        try:
            self.client.put_secret_value(SecretId=name, SecretString=value)
        except self.client.exceptions.ResourceNotFoundException:
            self.client.create_secret(
                Name=name,
                Description=f"Airflow {kind} {key}, written by airflow-ha secrets",
                KmsKeyId=self.kms_key_id,
                SecretString=value,
                Tags=[{"Key": tag, "Value": tag_value} for tag, tag_value in self.tags.items()],
            )

    def keys(self, kind: Kind) -> list[str]:
        prefix = f"{self.prefixes.of(kind)}/"
        found: list[str] = []
        for page in self.client.get_paginator("list_secrets").paginate(Filters=[{"Key": "name", "Values": [prefix]}]):
            found += [
                entry["Name"].removeprefix(prefix) for entry in page["SecretList"] if entry["Name"].startswith(prefix)
            ]
        return sorted(found)


class VaultStore:
    """``VaultBackend``'s secrets in the stack's KV mount, written with the operator's token."""

    def __init__(self, client: Any, mount: str, kv_version: int, prefixes: Prefixes):
        self.client = client
        self.mount = mount.strip("/")
        self.kv_version = kv_version
        self.prefixes = prefixes

    @property
    def description(self) -> str:
        return f"Vault KV v{self.kv_version} at {self.mount}/"

    def _path(self, kind: Kind, key: str) -> str:
        return f"{self.prefixes.of(kind)}/{key}"

    def location(self, kind: Kind, key: str) -> str:
        return f"{self.mount}/{self._path(kind, key)}"

    def read(self, kind: Kind, key: str) -> str | None:
        from hvac.exceptions import InvalidPath

        try:
            if self.kv_version == 2:
                response = self.client.secrets.kv.v2.read_secret_version(
                    path=self._path(kind, key), mount_point=self.mount, raise_on_deleted_version=True
                )
                data = response["data"]["data"]
            else:
                data = self.client.secrets.kv.v1.read_secret(path=self._path(kind, key), mount_point=self.mount)["data"]
        except InvalidPath:
            return None
        if kind == "variable":
            value = data.get(VAULT_VARIABLE_FIELD)
            return None if value is None else str(value)
        return str(data[VAULT_URI_FIELD]) if VAULT_URI_FIELD in data else json.dumps(data, sort_keys=True)

    def write(self, kind: Kind, key: str, value: str) -> None:
        if kind == "variable":
            secret: dict[str, Any] = {VAULT_VARIABLE_FIELD: value}
        elif value.strip().startswith("{"):
            secret = json.loads(value)
        else:
            secret = {VAULT_URI_FIELD: value}
        kv = self.client.secrets.kv.v2 if self.kv_version == 2 else self.client.secrets.kv.v1
        kv.create_or_update_secret(path=self._path(kind, key), secret=secret, mount_point=self.mount)

    def keys(self, kind: Kind) -> list[str]:
        from hvac.exceptions import InvalidPath

        kv = self.client.secrets.kv.v2 if self.kv_version == 2 else self.client.secrets.kv.v1
        try:
            response = kv.list_secrets(path=self.prefixes.of(kind), mount_point=self.mount)
        except InvalidPath:
            return []
        return sorted(key for key in response["data"]["keys"] if not key.endswith("/"))


def open_store(stack: Stack) -> SecretStore:
    """The stack's backend, reached with the operator's own credentials (AWS profile, ``VAULT_TOKEN``)."""
    cfg = stack.config
    section = cfg.secrets_backend
    prefixes = Prefixes(section.connections_prefix, section.variables_prefix)
    if section.type == "aws-secrets-manager":
        tags = {"airflow-ha:stack": cfg.stack, "managed-by": "airflow-ha secrets"}
        return SecretsManagerStore(stack.client("secretsmanager"), prefixes, stack.aws_names.kms_alias, tags)
    if section.type == "vault":
        return VaultStore(_vault_client(cfg), cfg.vault.kv_mount_point, cfg.vault.kv_engine_version, prefixes)
    raise bad_input(
        f"stack '{cfg.stack}' has secretsBackend.type: none: Airflow reads no secrets backend",
        "set airflow-ha:secretsBackend.type to aws-secrets-manager or vault, or use Kubernetes Secrets",
    )


def _vault_client(cfg: StackConfig) -> Any:
    import hvac

    address, token = os.environ.get("VAULT_ADDR"), os.environ.get("VAULT_TOKEN")
    if not address or not token:
        raise OpsError(
            "VAULT_ADDR and VAULT_TOKEN must be set (the stack's vaultAddress is encrypted in the stack file)",
            f"export VAULT_ADDR and a VAULT_TOKEN that may write {cfg.vault.kv_mount_point}/",
            Exit.ENVIRONMENT,
        )
    return hvac.Client(url=address, token=token)


def every_entry(store: SecretStore) -> Iterator[tuple[Kind, str]]:
    for kind in KINDS:
        for key in store.keys(kind):
            yield kind, key
