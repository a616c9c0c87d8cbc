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

# Which of the kit's Secrets (by purpose) each group of pods reads at start-up: every Airflow pod
# reads the connections, the stable keys and the integrations' Secrets (Vault address, OpenLineage
# transport, Slack connection); PgBouncer its files; the local tier's Redis its password.
ROLLOUT_GROUPS: dict[str, tuple[str, ...]] = {
    "airflow": (
        "metadata",
        "result-backend",
        "broker-url",
        "dags-git",
        "fernet-key",
        "api-secret-key",
        "jwt-secret",
        "vault-address",
        "openlineage-transport",
        "slack-connection",
    ),
    "pgbouncer": ("pgbouncer-config", "pgbouncer-stats"),
    "redis": ("redis-password",),
}
# Where each group's checksum goes in the chart values.
_ANNOTATED = {"pgbouncer": "pgbouncer", "redis": "redis"}


def content_checksum(parts: Iterable[str]) -> str:
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:16]


def rollout_annotations(checksums: Mapping[str, str]) -> dict[str, Any]:
    """Chart values that put each group's checksum on its pods."""
    values: dict[str, Any] = {}
    if "airflow" in checksums:
        values["airflowPodAnnotations"] = {ANNOTATION: checksums["airflow"]}
    for group, section in _ANNOTATED.items():
        if group in checksums:
            values[section] = {"podAnnotations": {ANNOTATION: checksums[group]}}
    return values
