"""The metadata database as Airflow's pods reach it, and the connection Secrets they read.

In the AWS tiers the database is the data plane's RDS instance, reached with TLS. In the local
tier it is the kit's own in-cluster PostgreSQL, created here. Every connection string holds the
password, so each is rendered inside ``apply`` on a secret Output and written only to a Secret.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pulumi
import pulumi_random as random

from ..args import PgbouncerArgs
from ..naming.kubernetes import Names
from ..seams import KitSecret, RdsConnection
from ..values import database
from ..values.database import DatabaseEndpoint
from ..values.kit_secrets import (
    ASYNC_CONNECTION,
    CONNECTION,
    PGBOUNCER_INI,
    PGBOUNCER_USERS,
    POSTGRES_PASSWORD,
    KitSecrets,
    LocalTierSecrets,
)
from .local_database import LocalPostgres
from .secrets import SecretFactory

LOCAL_PASSWORD_LENGTH = 32


@dataclass(frozen=True)
class MetadataDatabase:
    endpoint: pulumi.Output[DatabaseEndpoint]
    secrets: tuple[KitSecret, ...]  # the local tier's password Secret
    resources: tuple[pulumi.Resource, ...]  # the local tier's PostgreSQL


def rds_database(rds: RdsConnection) -> MetadataDatabase:
    endpoint = pulumi.Output.all(rds.host, rds.port, rds.password).apply(
        lambda parts: DatabaseEndpoint(
            host=parts[0],
            port=int(parts[1]),
            name=rds.db_name,
            user=rds.username,
            password=parts[2],
            sslmode="require",
        )
    )
    return MetadataDatabase(endpoint, (), ())


def local_database(
    prefix: str,
    names: Names,
    local: LocalTierSecrets,
    secrets: SecretFactory,
    *,
    parent: pulumi.Resource,
    provider: pulumi.ProviderResource,
    depends_on: list[pulumi.Resource],
) -> MetadataDatabase:
    password = random.RandomPassword(
        f"{prefix}-postgresql-password-random",
        length=LOCAL_PASSWORD_LENGTH,
        special=False,
        opts=pulumi.ResourceOptions(parent=parent),
    )
    password_secret = secrets.create("postgresql-password", local.database, {POSTGRES_PASSWORD: password.result})
    postgres = LocalPostgres(
        f"{prefix}-postgresql",
        names,
        password_secret.resource,
        pulumi.Output.secret(password.result),
        opts=pulumi.ResourceOptions(parent=parent, providers=[provider], depends_on=depends_on),
    )
    return MetadataDatabase(postgres.endpoint, (password_secret,), (postgres,))


def connection_secrets(
    endpoint: pulumi.Output[DatabaseEndpoint],
    names: Names,
    kit: KitSecrets,
    pgbouncer: PgbouncerArgs | None,
    secrets: SecretFactory,
) -> tuple[KitSecret, ...]:
    """The metadata connection (through PgBouncer when it is on), the direct one for the migration
    Job, Celery's result backend, and PgBouncer's own files."""

    def text(render: Callable[[DatabaseEndpoint], str]) -> pulumi.Output[str]:
        return pulumi.Output.secret(endpoint.apply(render))

    pooled = pgbouncer is not None
    created = [
        secrets.create(
            "metadata",
            kit.metadata,
            {
                CONNECTION: text(lambda db: database.metadata_url(db, names, pooled)),
                ASYNC_CONNECTION: text(lambda db: database.async_url(db, names, pooled)),
            },
        ),
        secrets.create("metadata-direct", kit.migration, {CONNECTION: text(database.direct_url)}),
    ]
    if kit.celery is not None:
        created.append(
            secrets.create(
                "result-backend",
                kit.celery.result_backend,
                {CONNECTION: text(lambda db: database.result_backend_url(db, names, pooled))},
            )
        )
    if pgbouncer is not None:
        pools = pgbouncer.pools
        created += [
            secrets.create(
                "pgbouncer-config",
                pgbouncer.secrets.config,
                {
                    PGBOUNCER_INI: text(lambda db: database.pgbouncer_ini(db, names, pools)),
                    PGBOUNCER_USERS: text(database.pgbouncer_users),
                },
            ),
            secrets.create(
                "pgbouncer-stats", pgbouncer.secrets.stats, {CONNECTION: text(database.pgbouncer_stats_url)}
            ),
        ]
    return tuple(created)
