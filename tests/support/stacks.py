"""Stack configs for tests, in the shape of a stack file: a tier's defaults plus the sections given.

Keys named like the model's secret keys are passed as ``--secret`` config, as a stack file with
``secure:`` values would be; ``raw_values`` builds config without any secret marking.
"""

from __future__ import annotations

from typing import Any

import pytest

from components.config.errors import PROJECT, ConfigError
from components.config.model import StackConfig
from components.config.secrets import SECRET_KEYS
from components.config.stackfile import StackFile, read_stack_file
from components.naming.kubernetes import Names
from components.validation import validated_stack_config

from .paths import STACKS_DIR

AWS_SECTION = {
    "region": "eu-west-1",
    "vpcId": "vpc-0123456789abcdef0",
    "privateSubnetIds": ["subnet-0aaa1111bbbb22220", "subnet-0aaa1111bbbb22221"],
    "eksClusterName": "platform",
}


def raw_values(tier: str, **sections: Any) -> dict[str, Any]:
    """Config values of a stack of ``tier``: an AWS section where the tier needs one, plus ``sections``."""
    result: dict[str, Any] = {f"{PROJECT}:tier": tier}
    if tier != "local":
        result[f"{PROJECT}:aws"] = AWS_SECTION
    result.update({f"{PROJECT}:{key}": value for key, value in sections.items()})
    return result


def secret_keys_of(values: dict[str, Any]) -> list[str]:
    return [key for key in values if key.split(":", 1)[1] in SECRET_KEYS]


def stack(tier: str, stack_name: str | None = None, **sections: Any) -> StackConfig:
    """A validated stack of ``tier`` (named after it unless ``stack_name``)."""
    values = raw_values(tier, **sections)
    return validated_stack_config(stack_name or tier, values, secret_keys_of(values))


def problems(tier: str, **sections: Any) -> list[tuple[str, str]]:
    """Every ``(key, message)`` the stack earns; fails when it is valid."""
    values = raw_values(tier, **sections)
    with pytest.raises(ConfigError) as raised:
        validated_stack_config("test", values, secret_keys_of(values))
    return [(problem.key, problem.message) for problem in raised.value.problems]


def problem_at(tier: str, key: str, **sections: Any) -> str:
    """The messages at ``key`` (joined), failing when there is none."""
    found = problems(tier, **sections)
    messages = [message for where, message in found if where == key]
    assert messages, f"expected a problem at {key}, got {found}"
    return "\n".join(messages)


def shipped(stack_name: str) -> StackFile:
    return read_stack_file(STACKS_DIR / f"Pulumi.{stack_name}.yaml")


def shipped_stack(stack_name: str, **secrets: str) -> StackConfig:
    """A shipped stack as Pulumi would load it; ``secrets`` replace its encrypted values."""
    stack_file = shipped(stack_name)
    values: dict[str, Any] = dict(stack_file.values)
    values.update({f"{PROJECT}:{key}": value for key, value in secrets.items()})
    secret_keys = set(stack_file.secret_keys) | {f"{PROJECT}:{key}" for key in secrets}
    return validated_stack_config(stack_file.stack, values, secret_keys)


def sized(cpu: str, memory: str, cpu_limit: str | None = None, memory_limit: str | None = None) -> dict[str, Any]:
    """Requests, and limits only when given (``None`` replaces the tier's limits)."""
    limits = {"cpu": cpu_limit or cpu, "memory": memory_limit or memory} if cpu_limit or memory_limit else None
    return {"requests": {"cpu": cpu, "memory": memory}, "limits": limits}


def names_of(cfg: StackConfig) -> Names:
    return Names(release=cfg.kubernetes.release_name, namespace=cfg.kubernetes.namespace)
