"""Every `airflow-ha` command and option a runbook names exists in the command itself.

Runbooks are read in code only (inline `code` and fenced blocks), where a reader copies from.
The command tree is the real one, introspected from the typer app, so a renamed option or a
removed command fails here before a platform team finds out during an incident.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
import typer

from components.ops.app import app

REPO = Path(__file__).resolve().parents[1]
RUNBOOKS = sorted((REPO / "docs" / "runbooks").glob("*.md"))
PAGES = [*RUNBOOKS, REPO / "README.md"]  # the README's summary of the command too
_FENCED = re.compile(r"```[^\n]*\n(.*?)```", re.S)
_INLINE = re.compile(r"`([^`\n]+)`")
_INVOCATION = re.compile(r"(?:^|[\s;|&(/])airflow-ha((?:\s+[^\s;|&)`]+)*)")


def invocations(markdown: str) -> list[list[str]]:
    """The argument lists of every `airflow-ha ...` in the code of a markdown page."""
    blocks = _FENCED.findall(markdown)
    prose = _FENCED.sub("", markdown)
    code = [*blocks, *_INLINE.findall(prose)]
    found = []
    for snippet in code:
        for line in snippet.replace("\\\n", " ").splitlines():
            for match in _INVOCATION.finditer(line):
                found.append(shlex.split(match.group(1), comments=True))
    return found


def problems_of(args: list[str]) -> list[str]:
    command = typer.main.get_command(app)
    path = ["airflow-ha"]
    words = list(args)
    while words and isinstance(command, typer.core.TyperGroup) and not words[0].startswith("-"):
        name = words.pop(0)
        sub = command.commands.get(name)
        if sub is None:
            return [f"`{' '.join(path)}` has no command '{name}' (it has: {', '.join(sorted(command.commands))})"]
        command, path = sub, [*path, name]
    known = {opt for param in command.params for opt in (*param.opts, *param.secondary_opts)}
    return [
        f"`{' '.join(path)}` has no option {word.split('=', 1)[0]}"
        for word in words
        if word.startswith("--") and word.split("=", 1)[0] not in known
    ]


def test_the_checker_catches_a_wrong_command_and_option() -> None:
    assert problems_of(["db", "backup"])
    assert problems_of(["db", "snapshot", "--stak", "prod"]) == ["`airflow-ha db snapshot` has no option --stak"]
    assert problems_of(["preflight", "--stack", "prod", "--output", "json"]) == []
    assert invocations("Run `airflow-ha status --stack prod`, not the airflow-ha:tier key.\n") == [
        ["status", "--stack", "prod"]
    ]


@pytest.mark.parametrize("runbook", PAGES, ids=lambda path: path.name)
def test_runbook_commands_exist(runbook: Path) -> None:
    wrong = [problem for args in invocations(runbook.read_text()) for problem in problems_of(args)]
    assert not wrong, f"{runbook.name}: " + "; ".join(wrong)


def test_the_new_runbooks_use_the_command() -> None:
    names = {path.name for path in RUNBOOKS}
    for page in ("new-environment.md", "switch-executor.md", "database-failover.md", "restore-drill.md"):
        assert page in names
        assert invocations((RUNBOOKS[0].parent / page).read_text()), f"{page} names no airflow-ha command"
