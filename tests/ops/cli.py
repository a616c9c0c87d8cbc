"""Run the `airflow-ha` command in-process, the way a terminal would (typer's CliRunner)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from typer.testing import CliRunner

from components.ops.app import app


@dataclass(frozen=True)
class Run:
    exit_code: int
    stdout: str
    stderr: str

    @property
    def document(self) -> dict[str, Any]:
        """The ``--output json`` document."""
        try:
            return json.loads(self.stdout)
        except json.JSONDecodeError:
            raise AssertionError(
                f"not a JSON document (exit {self.exit_code}):\n{self.stdout}\n{self.stderr}"
            ) from None

    @property
    def error_lines(self) -> list[str]:
        return [line for line in self.stderr.splitlines() if line.startswith("error:")]


def run(*args: str, env: dict[str, str | None] | None = None, input: str | None = None) -> Run:
    result = CliRunner().invoke(app, list(args), env=env, input=input, catch_exceptions=False)
    return Run(result.exit_code, result.stdout, result.stderr)
