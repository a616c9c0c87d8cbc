"""The fernet key, API secret key and JWT secret: generated once per stack, never rotated by accident.

No keepers: every replica and every upgrade sees the same three keys (a JWT secret that changed
on upgrade would fail running tasks with signature errors). The fernet key encrypts every
connection password and variable in the database, so it is guarded like the database
(``protect``): a retained database with a lost key is unreadable. Why: docs/adr/0002.
"""

from __future__ import annotations

import pulumi
import pulumi_random as random

from ..seams import KitSecret
from ..values.kit_secrets import API_SECRET_KEY, FERNET_KEY, JWT_SECRET, KitSecrets
from .fernet import fernet_key
from .secrets import SecretFactory

KEY_LENGTH = 64  # characters of the API secret key and the JWT secret
FERNET_KEY_BYTES = 32


def stable_keys(
    prefix: str, names: KitSecrets, *, protect: bool, secrets: SecretFactory, parent: pulumi.Resource
) -> tuple[KitSecret, ...]:
    random_opts = pulumi.ResourceOptions(parent=parent)
    guarded = pulumi.ResourceOptions(protect=protect, retain_on_delete=protect)
    # 32 random bytes, URL-safe base64 with its padding: exactly a Fernet key.
    fernet = random.RandomId(
        f"{prefix}-fernet-key-random",
        byte_length=FERNET_KEY_BYTES,
        opts=pulumi.ResourceOptions.merge(
            guarded,
            pulumi.ResourceOptions(parent=parent, additional_secret_outputs=["b64Url", "b64Std", "hex", "dec"]),
        ),
    )
    api_secret = random.RandomPassword(
        f"{prefix}-api-secret-key-random", length=KEY_LENGTH, special=False, opts=random_opts
    )
    jwt_secret = random.RandomPassword(
        f"{prefix}-jwt-secret-random", length=KEY_LENGTH, special=False, opts=random_opts
    )
    return (
        secrets.create("fernet-key", names.fernet_key, {FERNET_KEY: fernet.b64_url.apply(fernet_key)}, guarded),
        secrets.create("api-secret-key", names.api_secret_key, {API_SECRET_KEY: api_secret.result}),
        secrets.create("jwt-secret", names.jwt_secret, {JWT_SECRET: jwt_secret.result}),
    )
