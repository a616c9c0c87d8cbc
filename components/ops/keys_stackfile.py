"""Set ``airflow-ha:airflow.<key>`` in a stack file, keeping every other line and comment as it is.

``pulumi config set --path`` would rewrite the whole file; the runbooks' stack files carry comments
that explain their choices, so the rotation edits only the lines it owns. The edited file is then
read and validated again like any stack file (``keys.py``), so a bad edit never reaches a deploy.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..config.errors import PROJECT

SECTION = f"{PROJECT}:airflow"
_SECTION_LINE = re.compile(rf"^(\s*){re.escape(SECTION)}:\s*(#.*)?$")
_CONFIG_LINE = re.compile(r"^config:\s*(#.*)?$")


def set_airflow_keys(path: Path, values: dict[str, int | bool]) -> None:
    """Set each ``airflow.<key>: value`` (scalars only) in the stack file at ``path``."""
    lines = path.read_text().splitlines()
    section = next((i for i, line in enumerate(lines) if _SECTION_LINE.match(line)), None)
    if section is None:
        config = next((i for i, line in enumerate(lines) if _CONFIG_LINE.match(line)), None)
        if config is None:
            raise ValueError(f"{path}: no `config:` mapping")
        indent = _child_indent(lines, config, len(""))
        lines.insert(config + 1, f"{indent}{SECTION}:")
        section = config + 1
    own_indent = len(lines[section]) - len(lines[section].lstrip())
    child = _child_indent(lines, section, own_indent)
    end = section + 1
    while end < len(lines) and (not lines[end].strip() or _indent(lines[end]) > own_indent):
        end += 1
    for key, value in values.items():
        rendered = f"{child}{key}: {_scalar(value)}"
        pattern = re.compile(rf"^{re.escape(child)}{re.escape(key)}:(\s|$)")
        found = next((i for i in range(section + 1, end) if pattern.match(lines[i])), None)
        if found is not None:
            lines[found] = rendered
        else:
            lines.insert(section + 1, rendered)
            end += 1
    path.write_text("\n".join(lines) + "\n")


def _scalar(value: int | bool) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _child_indent(lines: list[str], parent: int, parent_indent: int) -> str:
    """The indentation of the mapping under ``lines[parent]`` (two spaces deeper when it is empty)."""
    for line in lines[parent + 1 :]:
        if line.strip() and not line.lstrip().startswith("#"):
            if _indent(line) > parent_indent and not line.lstrip().startswith("- "):
                return " " * _indent(line)
            break
    return " " * (parent_indent + 2)
