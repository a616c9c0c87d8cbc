"""What a cross-key rule is: a check over the whole config that names the sections it reads.

When one of those sections failed its own validation the rule is skipped (it cannot be judged),
so a stack file with a typo in ``database`` still gets every other rule's verdict in the same
report.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from .errors import Problem
from .model import StackConfig

RuleFunction = Callable[[StackConfig, frozenset[str]], Iterable[Problem]]


@dataclass(frozen=True)
class Rule:
    """``check(config, explicit)``: ``explicit`` holds every dotted key the stack file sets."""

    needs: tuple[str, ...]
    check: RuleFunction


def rule(*needs: str) -> Callable[[RuleFunction], Rule]:
    def register(check: RuleFunction) -> Rule:
        return Rule(needs=needs, check=check)

    return register
