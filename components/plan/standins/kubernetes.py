"""What the Kubernetes API server would fill in: names, namespaces, uids."""

from __future__ import annotations

from typing import Any


def outputs(type_token: str, name: str, inputs: dict[str, Any]) -> dict[str, Any] | None:
    if not type_token.startswith("kubernetes:"):
        return None
    metadata = dict(inputs.get("metadata") or {})
    metadata.setdefault("name", name)
    metadata.setdefault("uid", f"{name}-uid")
    extra: dict[str, Any] = {"metadata": metadata}
    if type_token == "kubernetes:helm.sh/v3:Release":
        extra |= {
            "status": {
                "name": inputs.get("name", name),
                "namespace": inputs.get("namespace"),
                "status": "deployed",
                "version": inputs.get("version"),
                "revision": 1,
            }
        }
    return extra


CALLS: dict = {}
