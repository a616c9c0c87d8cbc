"""Config problems are collected, never raised one at a time.

A platform engineer fixing a stack file wants every mistake in one report, each naming the
exact key in the stack file (``airflow-ha:database.multiAz``) and what is allowed there.
"""

from __future__ import annotations

from dataclasses import dataclass

PROJECT = "airflow-ha"


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with a stack's config.

    ``key`` is the dotted path below the project namespace (``database.multiAz``); the
    report prints it as it appears in the stack file (``airflow-ha:database.multiAz``).
    """

    key: str
    message: str

    @property
    def stack_key(self) -> str:
        return f"{PROJECT}:{self.key}" if self.key else PROJECT

    def __str__(self) -> str:
        return f"{self.stack_key}: {self.message}"


class ConfigError(Exception):
    """Raised once, with every problem found, before any resource is created."""

    def __init__(self, problems: list[Problem], stack: str | None = None):
        self.problems = sorted(set(problems))
        self.stack = stack
        super().__init__(self.report())

    def report(self) -> str:
        where = f" for stack '{self.stack}'" if self.stack else ""
        count = len(self.problems)
        lines = [f"{count} problem{'s' if count != 1 else ''} in the config{where}:"]
        lines += [f"  - {problem}" for problem in self.problems]
        lines.append("Nothing was created. Fix the keys above in the stack file and run again.")
        return "\n".join(lines)
