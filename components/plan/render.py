"""Render the chart's manifests offline with Helm's own engine (PyPI ``helm-python-sdk``).

No cluster and no ``helm`` binary: the chart archive is the one users pull from the chart's
Helm repository (``helm pull apache-airflow/airflow --version 1.22.0``). The result is what
``helm template`` would print, hooks included, so tests can assert on the real manifests.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import helm_python


def render_chart(chart_archive: Path, values: dict[str, Any], release: str, namespace: str) -> str:
    """All manifests of the release as one multi-document YAML text, ordered by template path."""
    with helm_python.Chart.load(str(chart_archive)) as chart:
        manifests = chart.render(values, name=release, namespace=namespace, is_install=True)
    documents = [
        f"# Source: {path}\n{text.strip()}\n"
        for path, text in sorted(manifests.items())
        if not path.endswith("NOTES.txt") and _has_content(text)
    ]
    return "---\n".join(documents)


def _has_content(text: str) -> bool:
    """Templates whose condition is false render to comments and separators only."""
    return any(line.strip() and not line.lstrip().startswith(("#", "---")) for line in text.splitlines())
