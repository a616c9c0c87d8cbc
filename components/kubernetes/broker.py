"""The Celery broker URL as a Secret: ElastiCache's in the AWS tiers, the chart's Redis locally."""

from __future__ import annotations

import pulumi
import pulumi_random as random

from ..naming.kubernetes import Names
from ..seams import KitSecret
from ..values.kit_secrets import CONNECTION, REDIS_PASSWORD, CelerySecrets
from .secrets import SecretFactory

LOCAL_REDIS_PASSWORD_LENGTH = 32
REDIS_PORT = 6379


def managed_broker_secret(
    celery: CelerySecrets, url: pulumi.Output[str], secrets: SecretFactory
) -> tuple[KitSecret, ...]:
    return (secrets.create("broker-url", celery.broker_url, {CONNECTION: url}),)


def local_broker_secrets(
    prefix: str,
    names: Names,
    celery: CelerySecrets,
    redis_password_secret: str,
    secrets: SecretFactory,
    parent: pulumi.Resource,
) -> tuple[KitSecret, ...]:
    password = random.RandomPassword(
        f"{prefix}-redis-password-random",
        length=LOCAL_REDIS_PASSWORD_LENGTH,
        special=False,
        opts=pulumi.ResourceOptions(parent=parent),
    )
    # The chart names its in-cluster Redis service `<release>-redis`.
    broker_url = password.result.apply(lambda secret: f"redis://:{secret}@{names.release}-redis:{REDIS_PORT}/0")
    return (
        secrets.create("redis-password", redis_password_secret, {REDIS_PASSWORD: password.result}),
        secrets.create("broker-url", celery.broker_url, {CONNECTION: broker_url}),
    )
