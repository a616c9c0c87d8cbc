"""The Kubernetes Secrets the kit creates for the chart, by name (pure).

The chart would otherwise generate the fernet key, the API secret key, the JWT secret and the
Redis password at random on every render, and build connection strings into its own Secrets.
The kit creates each of them once (see ``components/kubernetes``) and hands the chart only the
names; the Pulumi layer and the chart values read the same ``KitSecrets``.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..config.model import StackConfig
from ..naming import Names

# Keys the chart reads inside each Secret.
FERNET_KEY = "fernet-key"
API_SECRET_KEY = "api-secret-key"
JWT_SECRET = "jwt-secret"
CONNECTION = "connection"
# Airflow 3.2's async engine: asyncpg takes `ssl`, not libpq's `sslmode` (see database.async_url).
ASYNC_CONNECTION = "connection-async"
REDIS_PASSWORD = "password"
PGBOUNCER_INI = "pgbouncer.ini"
PGBOUNCER_USERS = "users.txt"
POSTGRES_PASSWORD = "postgres-password"
# git-sync reads the v4 names; older images read the v3 ones.
GIT_SYNC_USERNAME_KEYS = ("GITSYNC_USERNAME", "GIT_SYNC_USERNAME")
GIT_SYNC_PASSWORD_KEYS = ("GITSYNC_PASSWORD", "GIT_SYNC_PASSWORD")


@dataclass(frozen=True)
class KitSecrets:
    fernet_key: str
    api_secret_key: str
    jwt_secret: str
    metadata: str  # `connection` as Airflow pods use it (through PgBouncer when it is on)
    migration: str  # `connection` straight to the database, for the kit's migration Job
    result_backend: str | None  # Celery: `connection` with the `db+postgresql://` scheme
    pgbouncer_config: str | None
    pgbouncer_stats: str | None
    broker_url: str | None
    redis_password: str | None  # local tier: the chart's in-cluster Redis
    local_database: str | None  # local tier: the kit's in-cluster PostgreSQL
    local_admin: str | None  # local tier: the password of the kit-created admin user
    dags_git: str | None  # git-bundle: AIRFLOW_CONN_DAGS_GIT; git-sync: GITSYNC_* credentials


def kit_secrets(cfg: StackConfig, names: Names) -> KitSecrets:
    local = not cfg.on_aws
    return KitSecrets(
        fernet_key=names.secret("fernet-key"),
        api_secret_key=names.secret("api-secret-key"),
        jwt_secret=names.secret("jwt-secret"),
        metadata=names.secret("metadata"),
        migration=names.secret("metadata-direct"),
        result_backend=names.secret("result-backend") if cfg.uses_celery else None,
        pgbouncer_config=names.secret("pgbouncer-config") if cfg.pgbouncer.enabled else None,
        pgbouncer_stats=names.secret("pgbouncer-stats") if cfg.pgbouncer.enabled else None,
        broker_url=names.secret("broker-url") if cfg.uses_celery else None,
        redis_password=names.secret("redis-password") if local and cfg.uses_celery else None,
        local_database=names.secret("postgresql") if local else None,
        local_admin=names.secret("admin-user") if local else None,
        dags_git=names.secret("dags-git")
        if cfg.dags.source in ("git-bundle", "git-sync") and cfg.secrets.dags_git_token is not None
        else None,
    )
