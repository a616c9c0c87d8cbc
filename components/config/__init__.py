"""The typed stack config: model, tier defaults, rules and the loader."""

from .errors import PROJECT, ConfigError, Problem
from .loader import load_stack_config
from .model import StackConfig

__all__ = ["PROJECT", "ConfigError", "Problem", "StackConfig", "load_stack_config"]
