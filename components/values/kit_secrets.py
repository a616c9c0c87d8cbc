"""The Kubernetes Secrets the kit creates for the chart, by name (pure).

The chart would otherwise generate the fernet key, the API secret key, the JWT secret and the
Redis password at random on every render, and build connection strings into its own Secrets.
The kit creates each of them once (see ``components/kubernetes``) and hands the chart only the
names; the Pulumi layer and the chart values read the same ``KitSecrets``.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..config.model import StackConfig
from ..naming.kubernetes import Names

# Keys the chart reads inside each Secret.
FERNET_KEY = "fernet-key"
API_SECRET_KEY = "api-secret-key"
JWT_SECRET = "jwt-secret"
CONNECTION = "connection"
# Airflow 3.2's async engine: asyncpg takes `ssl`, not libpq's `sslmode` (see database.async_url).
ASYNC_CONNECTION = "connection-async"
# The migration Job's Secret with least-privilege roles (values/database_access.py): the master
# user's connection for the bootstrap, and the passwords it gives the roles.
MASTER_CONNECTION = "master-connection"
APPLICATION_PASSWORD = "application-password"
KEDA_PASSWORD = "keda-password"
# The chart's key for KEDA's own connection in the metadata Secret (with `keda.usePgbouncer: false`).
KEDA_CONNECTION = "kedaConnection"
REDIS_PASSWORD = "password"
PGBOUNCER_INI = "pgbouncer.ini"
PGBOUNCER_USERS = "users.txt"
POSTGRES_PASSWORD = "postgres-password"
# git-sync reads the v4 names; older images read the v3 ones.
GIT_SYNC_USERNAME_KEYS = ("GITSYNC_USERNAME", "GIT_SYNC_USERNAME")
GIT_SYNC_PASSWORD_KEYS = ("GITSYNC_PASSWORD", "GIT_SYNC_PASSWORD")


@dataclass(frozen=True)
class CelerySecrets:
    broker_url: str  # `connection`: the broker URL
    result_backend: str  # `connection` with the `db+postgresql://` scheme


@dataclass(frozen=True)
class PgbouncerSecrets:
    config: str  # pgbouncer.ini and users.txt
    stats: str  # the metrics exporter's connection to PgBouncer's admin console


@dataclass(frozen=True)
class LocalTierSecrets:
    """The local tier's in-cluster stores: the kit's PostgreSQL and the chart's Redis."""

    database: str  # the PostgreSQL password
    admin: str  # the password of the kit-created admin user
    redis_password: str | None  # Celery only: the chart's in-cluster Redis


@dataclass(frozen=True)
class KitSecrets:
    fernet_key: str
    api_secret_key: str
    jwt_secret: str
    metadata: str  # `connection` as Airflow pods use it (through PgBouncer when it is on)
    migration: str  # `connection` straight to the database, for the kit's migration Job
    celery: CelerySecrets | None
    pgbouncer: PgbouncerSecrets | None
    dags_git: str | None  # git-bundle: AIRFLOW_CONN_DAGS_GIT; git-sync: GITSYNC_* credentials
    local: LocalTierSecrets | None


def kit_secrets(cfg: StackConfig, names: Names) -> KitSecrets:
    celery = cfg.uses_celery
    return KitSecrets(
        fernet_key=names.secret("fernet-key"),
        api_secret_key=names.secret("api-secret-key"),
        jwt_secret=names.secret("jwt-secret"),
        metadata=names.secret("metadata"),
        migration=names.secret("metadata-direct"),
        celery=CelerySecrets(names.secret("broker-url"), names.secret("result-backend")) if celery else None,
        pgbouncer=PgbouncerSecrets(names.secret("pgbouncer-config"), names.secret("pgbouncer-stats"))
        if cfg.pgbouncer.enabled
        else None,
        dags_git=names.secret("dags-git")
        if cfg.dags.source in ("git-bundle", "git-sync") and cfg.secrets.dags_git_token is not None
        else None,
        local=None
        if cfg.on_aws
        else LocalTierSecrets(
            database=names.secret("postgresql"),
            admin=names.secret("admin-user"),
            redis_password=names.secret("redis-password") if celery else None,
        ),
    )
