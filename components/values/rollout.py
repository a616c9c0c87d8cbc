"""Pod annotations that roll pods when the Secrets they read at start-up change (pure).

The chart restarts pods through checksums of its own Secret templates. The kit hands the chart
its Secrets by name, so those templates render nothing and their checksums never move; and pods
read connection URLs from environment variables (and PgBouncer its config through ``subPath``
mounts) only when they start. Without these annotations, a rotated database password or a new
PgBouncer pool size would reach the Secrets but never the running pods.

The checksum is a SHA-256 over the Secrets' content: safe to show, since it cannot be reversed
into the random passwords it covers.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from typing import Any

ANNOTATION = "airflow-ha/secrets-checksum"

# Which of the kit's Secrets (by purpose) each group of pods reads at start-up.
ROLLOUT_GROUPS: dict[str, tuple[str, ...]] = {
    "airflow": ("metadata", "result-backend", "broker-url", "dags-git"),
    "pgbouncer": ("pgbouncer-config", "pgbouncer-stats"),
}


def content_checksum(parts: Iterable[str]) -> str:
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:16]


def rollout_annotations(checksums: Mapping[str, str]) -> dict[str, Any]:
    """Chart values that put each group's checksum on its pods."""
    values: dict[str, Any] = {}
    if "airflow" in checksums:
        values["airflowPodAnnotations"] = {ANNOTATION: checksums["airflow"]}
    if "pgbouncer" in checksums:
        values["pgbouncer"] = {"podAnnotations": {ANNOTATION: checksums["pgbouncer"]}}
    return values
