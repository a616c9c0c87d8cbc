"""Changing commands take ``--dry-run`` and ask before a destructive step unless ``--yes``."""

from __future__ import annotations

from typing import Annotated

import typer

from .errors import Exit, OpsError

DryRun = Annotated[bool, typer.Option("--dry-run", help="Say what would be done, change nothing.")]
Yes = Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")]


def confirm(question: str, *, yes: bool) -> None:
    """Raises ``OpsError`` (exit 5) unless the operator agrees or passed ``--yes``."""
    if yes:
        return
    try:
        agreed = typer.confirm(question, default=False, err=True)
    except typer.Abort:  # no terminal to ask on (a script, CI): the same as "no"
        agreed = False
    if not agreed:
        raise OpsError("not confirmed; nothing was changed", "pass --yes to skip the question", Exit.ABORTED)
