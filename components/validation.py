"""Where validation is composed: the config rules, the naming rules of Kubernetes and AWS, and the
capacity checks, every problem at once.

The program, the offline plan and the ops command all load a stack through here, so they judge
it alike. The config package cannot run the capacity checks itself: they belong to the tuning
layer above it.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping
from typing import Any

from .config.loader import load_stack_config
from .config.model import StackConfig
from .config.renames import Warn
from .naming.rules import NAME_RULES
from .tuning.broker_capacity import rabbitmq_holds_the_connections
from .tuning.checks import CAPACITY_RULES
from .tuning.local_executor import schedulers_carry_the_peak

_LOG = logging.getLogger(__name__)


def validated_stack_config(
    stack: str,
    values: Mapping[str, Any],
    secret_keys: Collection[str] = (),
    *,
    warn: Warn = _LOG.warning,
) -> StackConfig:
    """The stack's config, validated; raises ``ConfigError`` listing every problem."""
    rules = (*NAME_RULES, *CAPACITY_RULES, schedulers_carry_the_peak, rabbitmq_holds_the_connections)
    return load_stack_config(stack, values, secret_keys, extra_rules=rules, warn=warn)
