"""The fernet keys, API secret key and JWT secret: generated once per stack, never rotated by accident.

No keepers: every replica and every upgrade sees the same keys (a JWT secret that changed on
upgrade would fail running tasks with signature errors). The fernet keys encrypt every connection
password and variable in the database, so they are guarded like the database (``protect``): a
retained database with a lost key is unreadable. Why: docs/adr/0002 and docs/adr/0012.

A fernet rotation is a new generation (``values/fernet_keys.py``): each generation has its own
generator, kept for good, so raising ``airflow.fernetKeyGeneration`` creates a key and never
replaces one. In the AWS tiers every generation is also kept in a Secrets Manager secret that a
teardown keeping the database keeps too, and that a new stack adopts with the database.
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws
import pulumi_random as random

from ..seams import FernetKeyStore, KitSecret
from ..values.fernet_keys import (
    LEGACY_GENERATION,
    FernetRotation,
    active_fernet_key,
    adopted_keys,
    fernet_key_from_standard,
    fernet_key_from_url_safe,
    key_store_document,
    stored_keys,
)
from ..values.kit_secrets import API_SECRET_KEY, FERNET_KEY, JWT_SECRET, KitSecrets
from .secrets import SecretFactory

KEY_LENGTH = 64  # characters of the API secret key and the JWT secret
FERNET_KEY_BYTES = 32
# The kit rewrites the store on every `up`; a deleted one (a teardown without protection) needs no
# recovery window, which would block creating the same name again.
KEY_STORE_RECOVERY_WINDOW_DAYS = 0

# Every generation's key, by generation as a string (Pulumi's Outputs hold string-keyed dicts).
FernetKeys = pulumi.Output[dict[str, str]]


def _by_generation(keys: dict[str, str]) -> dict[int, str]:
    return {int(generation): key for generation, key in keys.items()}


def _by_name(keys: dict[int, str]) -> dict[str, str]:
    return {str(generation): key for generation, key in keys.items()}


def stable_keys(
    prefix: str,
    names: KitSecrets,
    rotation: FernetRotation,
    *,
    protect: bool,
    store: FernetKeyStore | None,
    secrets: SecretFactory,
    parent: pulumi.Resource,
) -> tuple[KitSecret, ...]:
    """``store`` is the AWS tiers' key store; the local tier keeps its keys in Kubernetes (and state) only."""
    random_opts = pulumi.ResourceOptions(parent=parent)
    guarded = pulumi.ResourceOptions(protect=protect, retain_on_delete=protect)
    keys = _fernet_generations(prefix, rotation, guarded, parent)
    fernet_opts = guarded
    if store is not None:
        keys, kept = _kept_in_aws(prefix, keys, rotation, store, protect, parent)
        # The cluster sees a new key only once it is kept where a teardown cannot lose it.
        fernet_opts = pulumi.ResourceOptions.merge(guarded, pulumi.ResourceOptions(depends_on=[kept]))
    fernet_key = pulumi.Output.secret(
        keys.apply(lambda resolved: active_fernet_key(_by_generation(resolved), rotation))
    )
    api_secret = random.RandomPassword(
        f"{prefix}-api-secret-key-random", length=KEY_LENGTH, special=False, opts=random_opts
    )
    jwt_secret = random.RandomPassword(
        f"{prefix}-jwt-secret-random", length=KEY_LENGTH, special=False, opts=random_opts
    )
    return (
        secrets.create("fernet-key", names.fernet_key, {FERNET_KEY: fernet_key}, fernet_opts),
        secrets.create("api-secret-key", names.api_secret_key, {API_SECRET_KEY: api_secret.result}),
        secrets.create("jwt-secret", names.jwt_secret, {JWT_SECRET: jwt_secret.result}),
    )


def _fernet_generations(
    prefix: str, rotation: FernetRotation, guarded: pulumi.ResourceOptions, parent: pulumi.Resource
) -> FernetKeys:
    """One generator per generation, every one kept: 32 random bytes, a Fernet key in URL-safe base64."""
    generated: dict[str, pulumi.Output[str]] = {}
    for generation in rotation.generations:
        if generation == LEGACY_GENERATION:
            # The name and type of the stack's first key, from before rotation existed: unchanged.
            legacy = random.RandomId(
                f"{prefix}-fernet-key-random",
                byte_length=FERNET_KEY_BYTES,
                opts=pulumi.ResourceOptions.merge(
                    guarded,
                    pulumi.ResourceOptions(parent=parent, additional_secret_outputs=["b64Url", "b64Std", "hex", "dec"]),
                ),
            )
            generated[str(generation)] = legacy.b64_url.apply(fernet_key_from_url_safe)
        else:
            later = random.RandomBytes(
                f"{prefix}-fernet-key-g{generation}-random",
                length=FERNET_KEY_BYTES,
                opts=pulumi.ResourceOptions.merge(guarded, pulumi.ResourceOptions(parent=parent)),
            )
            generated[str(generation)] = later.base64.apply(fernet_key_from_standard)
    return pulumi.Output.secret(pulumi.Output.all(**generated))


def _kept_in_aws(
    prefix: str,
    generated: FernetKeys,
    rotation: FernetRotation,
    store: FernetKeyStore,
    protect: bool,
    parent: pulumi.Resource,
) -> tuple[FernetKeys, pulumi.Resource]:
    """Every generation's key in the Secrets Manager secret ``store.secret_name``, encrypted with
    the database's KMS key, protected and retained with the database. A stack adopting a retained
    database imports the secret and takes the keys it holds: those are what its data needs."""
    on_aws = pulumi.ResourceOptions(parent=parent, provider=store.provider)
    guarded = pulumi.ResourceOptions(protect=protect, retain_on_delete=protect)
    adopted = (
        # The provider reads a secret by name; the recovery window is the kit's, not the secret's.
        pulumi.ResourceOptions(import_=store.secret_name, ignore_changes=["recoveryWindowInDays"])
        if store.adopt
        else pulumi.ResourceOptions()
    )
    secret = aws.secretsmanager.Secret(
        f"{prefix}-fernet-key-store",
        name=store.secret_name,
        description="Airflow fernet keys, every generation, managed by airflow-ha: kept with the metadata database",
        kms_key_id=store.kms_key_arn,
        recovery_window_in_days=KEY_STORE_RECOVERY_WINDOW_DAYS,
        opts=pulumi.ResourceOptions.merge(pulumi.ResourceOptions.merge(on_aws, guarded), adopted),
    )
    keys = generated
    if store.adopt:
        retained = aws.secretsmanager.get_secret_version_output(
            secret_id=store.secret_name, opts=pulumi.InvokeOutputOptions(parent=parent, provider=store.provider)
        )
        keys = pulumi.Output.secret(
            pulumi.Output.all(pulumi.Output.secret(retained.secret_string), generated).apply(
                lambda parts: _by_name(adopted_keys(stored_keys(parts[0]), _by_generation(parts[1])))
            )
        )
    version = aws.secretsmanager.SecretVersion(
        f"{prefix}-fernet-key-store-value",
        secret_id=secret.id,
        secret_string=pulumi.Output.secret(
            keys.apply(lambda resolved: key_store_document(_by_generation(resolved), rotation))
        ),
        # A rotation writes a new version; the one it replaces stays in AWS, unlabelled.
        opts=pulumi.ResourceOptions.merge(on_aws, pulumi.ResourceOptions(retain_on_delete=protect)),
    )
    return keys, version
