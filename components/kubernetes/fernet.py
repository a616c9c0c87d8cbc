"""A Fernet key from pulumi-random's RandomId (pure)."""

from __future__ import annotations


def fernet_key(b64_url: str) -> str:
    """RandomId's ``b64_url`` of 32 bytes is URL-safe base64 without padding (43 characters);
    Fernet wants the padded form (44 characters, ending in ``=``)."""
    return b64_url + "=" * (-len(b64_url) % 4)
