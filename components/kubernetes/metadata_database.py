"""The metadata database as Airflow's pods reach it, and the connection Secrets they read.

In the AWS tiers the database is the data plane's RDS instance, reached with TLS. In the local
tier it is the kit's own in-cluster PostgreSQL, created here. Every connection string holds the
password, so each is rendered inside ``apply`` on a secret Output and written only to a Secret.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_kubernetes as kubernetes
import pulumi_random as random

from ..args import PgbouncerArgs
from ..naming.kubernetes import Names
from ..seams import KitSecret, RdsConnection
from ..values import database
from ..values.database import CA_BUNDLE_KEY, Credentials, DatabaseEndpoint
from ..values.database_access import RDS_CA
from ..values.kit_secrets import (
    APPLICATION_PASSWORD,
    ASYNC_CONNECTION,
    CONNECTION,
    KEDA_CONNECTION,
    KEDA_PASSWORD,
    MASTER_CONNECTION,
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
    resources: tuple[pulumi.Resource, ...]  # the local tier's PostgreSQL; the RDS CA bundle's ConfigMap


def rds_database(
    prefix: str,
    rds: RdsConnection,
    names: Names,
    namespace: pulumi.Input[str],
    opts: pulumi.ResourceOptions,
) -> MetadataDatabase:
    """Airflow connects as the application role when the stack has roles (the master user stays
    with the migration Job's bootstrap), and verifies RDS's certificate with the CA bundle."""
    application, keda = rds.application_role, rds.keda_role
    passwords = [rds.password, *(role.password for role in (application, keda) if role is not None)]

    def endpoint(parts: list[Any]) -> DatabaseEndpoint:
        host, port, master_password, *role_passwords = parts
        master = Credentials(rds.username, master_password)
        if application is None or keda is None:
            return DatabaseEndpoint(host, int(port), rds.db_name, master.user, master.password, rds.sslmode)
        return DatabaseEndpoint(
            host,
            int(port),
            rds.db_name,
            application.name,
            role_passwords[0],
            rds.sslmode,
            master=master,
            keda=Credentials(keda.name, role_passwords[1]),
        )

    resources: tuple[pulumi.Resource, ...] = ()
    if rds.ca_bundle is not None:
        resources = (
            kubernetes.core.v1.ConfigMap(
                f"{prefix}-rds-ca",
                metadata={"name": names.config_map(RDS_CA), "namespace": namespace},
                data={CA_BUNDLE_KEY: rds.ca_bundle},
                opts=opts,
            ),
        )
    return MetadataDatabase(pulumi.Output.all(rds.host, rds.port, *passwords).apply(endpoint), (), resources)


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


def _keda_password(db: DatabaseEndpoint) -> str:
    if db.keda is None:
        raise RuntimeError("roles are on, but the endpoint carries no KEDA role (see rds_database)")
    return db.keda.password


def connection_secrets(
    endpoint: pulumi.Output[DatabaseEndpoint],
    names: Names,
    kit: KitSecrets,
    pgbouncer: PgbouncerArgs | None,
    secrets: SecretFactory,
    *,
    roles: bool,
) -> tuple[KitSecret, ...]:
    """The metadata connection (through PgBouncer when it is on), the direct one for the migration
    Job, Celery's result backend, and PgBouncer's own files. ``roles``: the endpoint carries the
    master user and KEDA's role as well (``rds_database``)."""

    def text(render: Callable[[DatabaseEndpoint], str]) -> pulumi.Output[str]:
        return pulumi.Output.secret(endpoint.apply(render))

    pooled = pgbouncer is not None
    metadata = {
        CONNECTION: text(lambda db: database.metadata_url(db, names, pooled)),
        ASYNC_CONNECTION: text(lambda db: database.async_url(db, names, pooled)),
    }
    direct = {CONNECTION: text(database.direct_url)}
    if roles:
        # Only the migration Job reads `metadata-direct`: the master user reaches no other pod.
        direct |= {
            MASTER_CONNECTION: text(database.master_url),
            APPLICATION_PASSWORD: text(lambda db: db.password),
            KEDA_PASSWORD: text(_keda_password),
        }
        if pooled:
            metadata[KEDA_CONNECTION] = text(lambda db: database.keda_url(db, names))
    created = [
        secrets.create("metadata", kit.metadata, metadata),
        secrets.create("metadata-direct", kit.migration, direct),
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
