"""Realistic stand-ins for what the cloud would assign, by provider.

Under Pulumi's mock engine nothing computes outputs, so each provider module here returns what
AWS, Kubernetes, Vault or random would: endpoints, ARNs, generated values. Every module
exposes ``outputs(type_token, name, inputs) -> dict | None`` and ``CALLS``, a map from an
invoke token to a function of its arguments.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import aws, kubernetes, other

_PROVIDERS = (aws, kubernetes, other)

CALLS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    token: function for module in _PROVIDERS for token, function in module.CALLS.items()
}


def resource_outputs(type_token: str, name: str, inputs: dict[str, Any]) -> dict[str, Any]:
    """The inputs, plus what the provider would add on create."""
    for module in _PROVIDERS:
        extra = module.outputs(type_token, name, inputs)
        if extra is not None:
            return {**inputs, **extra}
    return dict(inputs)


def resource_id(name: str) -> str:
    return f"{name}-id"
