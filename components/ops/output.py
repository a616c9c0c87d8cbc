"""What a command prints: rich tables on a terminal, or one JSON document with ``--output json``.

Every command ends with exactly one result line (text) or one document (json) and an exit code.
Tables and progress go to stdout and stderr respectively, so ``--output json | jq`` stays clean.
"""

from __future__ import annotations

import contextvars
import json
import sys
from collections.abc import Sequence
from enum import StrEnum
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from .errors import Exit


class Format(StrEnum):
    text = "text"
    json = "json"


class Reporter:
    """Collects what a command found; ``finish`` prints the result and raises the exit."""

    def __init__(self, command: str, output: Format = Format.text, stack: str | None = None):
        self.command = command
        self.format = output
        self.stack = stack
        self.data: dict[str, Any] = {}
        self.console = Console(file=sys.stdout, highlight=False, soft_wrap=True)
        self.stderr = Console(file=sys.stderr, highlight=False, soft_wrap=True)
        _current.set(self)

    @property
    def json(self) -> bool:
        return self.format is Format.json

    def note(self, text: str) -> None:
        """A line for the operator (stderr in json mode, so the document stays parseable)."""
        (self.stderr if self.json else self.console).print(text, markup=False)

    def table(self, key: str, title: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        """Shown as a table in text mode; kept under ``key`` as a list of objects in the document."""
        self.data[key] = [dict(zip(columns, row, strict=True)) for row in rows]
        if self.json:
            return
        table = Table(title=title, title_justify="left", show_lines=False)
        for column in columns:
            table.add_column(column)
        for row in rows:
            table.add_row(*("" if cell is None else str(cell) for cell in row))
        self.console.print(table)

    def finish(self, ok: bool, result: str, exit_code: Exit | None = None) -> None:
        code = exit_code if exit_code is not None else (Exit.OK if ok else Exit.FAILED)
        if self.json:
            document = {"command": self.command, "stack": self.stack, "ok": ok, "result": result, **self.data}
            self.console.print_json(json.dumps(document, default=str))
        else:
            self.console.print(f"{'OK' if ok else 'FAILED'}: {result}", markup=False)
        raise typer.Exit(int(code))


def reset_reporter() -> None:
    _current.set(None)


def print_error(message: str) -> None:
    """The one-line error: on stderr always, and as the document in json mode."""
    reporter = _current.get()
    Console(file=sys.stderr, highlight=False, soft_wrap=True).print(f"error: {message}", markup=False)
    if reporter is not None and reporter.json:
        document = {"command": reporter.command, "stack": reporter.stack, "ok": False, "error": message}
        reporter.console.print_json(json.dumps(document, default=str))


# The command's reporter, so that an error raised anywhere is printed in the command's format.
_current: contextvars.ContextVar[Reporter | None] = contextvars.ContextVar("airflow_ha_reporter", default=None)
