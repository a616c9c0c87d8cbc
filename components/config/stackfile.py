"""Read a Pulumi stack file (``stacks/Pulumi.<stack>.yaml``) without the Pulumi CLI.

Encrypted ``secure:`` values cannot be decrypted offline; each becomes a placeholder and its
top-level key is reported as secret, exactly as the Pulumi runtime would report it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

SECRET_PLACEHOLDER = "[secret]"


@dataclass(frozen=True)
class StackFile:
    stack: str
    values: dict[str, Any]
    secret_keys: frozenset[str]


class StackFileError(Exception):
    pass


def stack_name_from_path(path: Path) -> str:
    name = path.name
    if not (name.startswith("Pulumi.") and name.endswith((".yaml", ".yml"))):
        raise StackFileError(f"{path}: a stack file is named Pulumi.<stack>.yaml")
    return name.removeprefix("Pulumi.").rsplit(".", 1)[0]


def read_stack_file(path: Path, stack: str | None = None) -> StackFile:
    try:
        document = yaml.safe_load(path.read_text()) or {}
    except FileNotFoundError:
        raise StackFileError(f"{path}: no such stack file") from None
    except yaml.YAMLError as error:
        raise StackFileError(f"{path}: not valid YAML: {error}") from None
    if not isinstance(document, dict) or not isinstance(document.get("config", {}), dict):
        raise StackFileError(f"{path}: expected a mapping with a 'config:' mapping")
    values: dict[str, Any] = {}
    secret_keys: set[str] = set()
    for key, value in (document.get("config") or {}).items():
        decoded, secret = _without_secure(value)
        values[str(key)] = decoded
        if secret:
            secret_keys.add(str(key))
    return StackFile(stack or stack_name_from_path(path), values, frozenset(secret_keys))


def _without_secure(value: Any) -> tuple[Any, bool]:
    if isinstance(value, dict):
        if set(value) == {"secure"}:
            return SECRET_PLACEHOLDER, True
        items = {key: _without_secure(item) for key, item in value.items()}
        return {key: item for key, (item, _) in items.items()}, any(secret for _, secret in items.values())
    if isinstance(value, list):
        elements = [_without_secure(item) for item in value]
        return [item for item, _ in elements], any(secret for _, secret in elements)
    return value, False
