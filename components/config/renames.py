"""Stack-config keys that were renamed: the old key is still accepted, with a warning, until its removal.

The stack config is a public contract: a rename must not break a stack file on upgrade. Each
entry moves the old key's value to the new key before validation, warns with both names, and a
problem found at the new key is reported at the old key, the one the stack file says. Every
rename is listed in CHANGELOG.md with the version that removes the old key.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from . import dotted
from .errors import PROJECT, Problem


@dataclass(frozen=True)
class RenamedKey:
    old: str  # dotted key below the project namespace, as stack files wrote it
    new: str
    since: str  # the kit version that renamed it
    removal: str  # the first kit version that refuses the old key

    def warning(self) -> str:
        return (
            f"{PROJECT}:{self.old} is renamed to {PROJECT}:{self.new} (since {self.since}); "
            f"the old key is accepted until {self.removal}: rename it in the stack file"
        )


# Newest first. See CHANGELOG.md for each one.
RENAMED_KEYS: tuple[RenamedKey, ...] = ()

Warn = Callable[[str], None]


def apply_renames(
    user: dict[str, Any], renames: tuple[RenamedKey, ...], warn: Warn, problems: list[Problem]
) -> dict[str, str]:
    """Move each renamed key's value in ``user`` (the stack's own keys, decoded) to its new key.

    Returns ``{new: old}`` for every key moved, so problems can be reported at the old key.
    """
    moved: dict[str, str] = {}
    for renamed in renames:
        value = dotted.pop(user, renamed.old)
        if value is dotted.MISSING:
            continue
        if dotted.lookup(user, renamed.new, dotted.MISSING) is not dotted.MISSING:
            problems.append(
                Problem(renamed.old, f"is renamed to {renamed.new}, which is also set; remove {renamed.old}")
            )
            continue
        dotted.put(user, renamed.new, value)
        moved[renamed.new] = renamed.old
        warn(renamed.warning())
    return moved


def reported_at_written_key(problem: Problem, moved: Mapping[str, str]) -> Problem:
    """A problem at a moved key, or below it, is reported at the key the stack file wrote."""
    for new, old in moved.items():
        if problem.key == new or problem.key.startswith((f"{new}.", f"{new}[")):
            return Problem(old + problem.key[len(new) :], problem.message)
    return problem
