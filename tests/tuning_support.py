"""Helpers for the tuning tests: configs of a tier with changes, and the problems a config earns."""

from __future__ import annotations

from typing import Any

import pytest
from stack_builders import values

from components.config import ConfigError, load_stack_config
from components.config.model import StackConfig


def config(tier: str, **sections: Any) -> StackConfig:
    return load_stack_config("test", values(tier, **sections))


def problems(tier: str, **sections: Any) -> list[tuple[str, str]]:
    with pytest.raises(ConfigError) as raised:
        load_stack_config("test", values(tier, **sections))
    return [(problem.key, problem.message) for problem in raised.value.problems]


def problem_at(tier: str, key: str, **sections: Any) -> str:
    """The messages at ``key`` (joined), failing when there is none."""
    found = problems(tier, **sections)
    messages = [message for where, message in found if where == key]
    assert messages, f"expected a problem at {key}, got {found}"
    return "\n".join(messages)


def sized(cpu: str, memory: str, cpu_limit: str | None = None, memory_limit: str | None = None) -> dict[str, Any]:
    """Requests, and limits only when given (``None`` replaces the tier's limits)."""
    limits = {"cpu": cpu_limit or cpu, "memory": memory_limit or memory} if cpu_limit or memory_limit else None
    return {"requests": {"cpu": cpu, "memory": memory}, "limits": limits}
