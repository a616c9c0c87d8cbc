"""Read the stack's config from the Pulumi runtime, as ``pulumi up`` and the mock engine set it."""

from __future__ import annotations

import pulumi
from pulumi.runtime import config as runtime_config

from ..config.model import StackConfig
from ..validation import validated_stack_config


def config_from_pulumi() -> StackConfig:
    """All config of this stack, validated; raises ``ConfigError`` listing every problem.
    A renamed key the stack file still uses becomes a warning in `pulumi up`'s output."""
    values = {**runtime_config.get_config_env(), **runtime_config.CONFIG.get()}
    secret_keys = {key for key in values if runtime_config.is_config_secret(key)}
    secret_keys |= set(runtime_config.get_config_secret_keys_env())
    return validated_stack_config(pulumi.get_stack(), values, secret_keys, warn=pulumi.log.warn)
