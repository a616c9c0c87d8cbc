"""Dotted keys (``database.multiAz``) into nested mappings, the way stack files and plans nest them."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

MISSING: Any = object()


def lookup(tree: Any, path: str | Iterable[str], default: Any = None) -> Any:
    """The value at ``path`` (dotted, or its parts), or ``default`` where a part is missing."""
    node = tree
    for part in path.split(".") if isinstance(path, str) else path:
        if not isinstance(node, dict) or part not in node:
            return default
        node = node[part]
    return node


def pop(tree: dict[str, Any], dotted: str) -> Any:
    """Remove and return the value at ``dotted``; ``MISSING`` when there is none."""
    *parents, leaf = dotted.split(".")
    node = lookup(tree, parents, MISSING) if parents else tree
    if not isinstance(node, dict) or leaf not in node:
        return MISSING
    return node.pop(leaf)


def put(tree: dict[str, Any], dotted: str, value: Any) -> None:
    *parents, leaf = dotted.split(".")
    node = tree
    for part in parents:
        node = node.setdefault(part, {})
    node[leaf] = value
