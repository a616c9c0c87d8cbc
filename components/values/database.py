"""Connection strings and PgBouncer files for the metadata database (pure).

Everything returned here holds the database password: the Pulumi layer calls these functions
inside ``apply`` on secret Outputs and writes the results only into Kubernetes Secrets.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import quote

from ..naming.kubernetes import Names
from ..tuning.model import PgbouncerPools

PGBOUNCER_PORT = 6543  # the chart's ports.pgbouncer
MAX_PREPARED_STATEMENTS = 200
# Where every pod that reaches RDS (Airflow's, PgBouncer's, the migration Job's) finds the RDS CA
# bundle, and the libpq variable that points libpq and asyncpg at it (asyncpg refuses libpq's
# `sslrootcert` as a URL parameter, but reads PGSSLROOTCERT).
CA_BUNDLE_KEY = "rds-ca-bundle.pem"
CA_BUNDLE_DIR = "/etc/airflow-ha/rds-ca"
CA_BUNDLE_PATH = f"{CA_BUNDLE_DIR}/{CA_BUNDLE_KEY}"
CA_BUNDLE_ENV = "PGSSLROOTCERT"


@dataclass(frozen=True)
class Credentials:
    user: str
    password: str = field(repr=False)


@dataclass(frozen=True)
class DatabaseEndpoint:
    """``user``/``password``: whom Airflow and PgBouncer connect as (the application role, or
    the master user when the stack turns roles off). ``master`` and ``keda`` are set only with
    roles: the migration Job's bootstrap connects as ``master``; KEDA's scaler as ``keda``."""

    host: str
    port: int
    name: str
    user: str
    password: str = field(repr=False)
    sslmode: str  # "verify-full" or "require" against RDS; "disable" for the local in-cluster PostgreSQL
    master: Credentials | None = None
    keda: Credentials | None = None


def _url(user: str, password: str, host: str, port: int, database: str, sslmode: str) -> str:
    return (
        f"postgresql://{quote(user, safe='')}:{quote(password, safe='')}@{host}:{port}/"
        f"{quote(database, safe='')}?sslmode={sslmode}"
    )


def direct_url(db: DatabaseEndpoint) -> str:
    """``postgresql://`` straight to the database (the migration Job; Airflow pods without PgBouncer)."""
    return _url(db.user, db.password, db.host, db.port, db.name, db.sslmode)


def master_url(db: DatabaseEndpoint) -> str:
    """The migration Job's bootstrap connection, as the master user (``database_roles.py``)."""
    master = db.master or Credentials(db.user, db.password)
    return _url(master.user, master.password, db.host, db.port, db.name, db.sslmode)


def keda_url(db: DatabaseEndpoint, names: Names) -> str:
    """KEDA's scaler (chart ``kedaConnection``): the read-only role through PgBouncer's metadata pool,
    so the KEDA operator, which has no CA bundle of its own, never speaks TLS to RDS itself."""
    keda = db.keda or Credentials(db.user, db.password)
    return _url(keda.user, keda.password, names.pgbouncer_host, PGBOUNCER_PORT, pgbouncer_database(names), "disable")


def pgbouncer_database(names: Names) -> str:
    """The chart's name for the metadata database inside PgBouncer."""
    return f"{names.release}-metadata"


def pooled_url(db: DatabaseEndpoint, names: Names) -> str:
    """``postgresql://`` to PgBouncer's metadata pool. The pod→PgBouncer hop stays inside the
    cluster without TLS; PgBouncer→database is TLS (``server_tls_sslmode``)."""
    return _url(db.user, db.password, names.pgbouncer_host, PGBOUNCER_PORT, pgbouncer_database(names), "disable")


def metadata_url(db: DatabaseEndpoint, names: Names, pgbouncer: bool) -> str:
    return pooled_url(db, names) if pgbouncer else direct_url(db)


def async_url(db: DatabaseEndpoint, names: Names, pgbouncer: bool) -> str:
    """``[database] sql_alchemy_conn_async`` for Airflow 3.2's async engine (asyncpg).

    Airflow would otherwise derive it from ``sql_alchemy_conn`` by swapping the driver, keeping
    ``?sslmode=``, which asyncpg refuses (``connect() got an unexpected keyword argument
    'sslmode'``). asyncpg prepares named statements; through PgBouncer's transaction pooling
    that needs ``max_prepared_statements`` in ``pgbouncer.ini`` (PgBouncer 1.21+)."""
    if pgbouncer:
        host, port, database, ssl = names.pgbouncer_host, PGBOUNCER_PORT, pgbouncer_database(names), "disable"
    else:
        host, port, database, ssl = db.host, db.port, db.name, db.sslmode
    return (
        f"postgresql+asyncpg://{quote(db.user, safe='')}:{quote(db.password, safe='')}@{host}:{port}/"
        f"{quote(database, safe='')}?ssl={ssl}"
    )


def result_backend_url(db: DatabaseEndpoint, names: Names, pgbouncer: bool) -> str:
    """Celery's result backend (SQLAlchemy via ``db+``), through PgBouncer's own result-backend pool when on."""
    if not pgbouncer:
        return f"db+{direct_url(db)}"
    return "db+" + _url(
        db.user, db.password, names.pgbouncer_host, PGBOUNCER_PORT, f"{names.release}-result-backend", "disable"
    )


def pgbouncer_ini(db: DatabaseEndpoint, names: Names, pools: PgbouncerPools) -> str:
    """``pgbouncer.ini`` in the chart's own layout, pointing at the database with TLS required."""
    databases = [
        f"{pgbouncer_database(names)} = host={db.host} dbname={db.name} port={db.port} "
        f"pool_size={pools.metadata_pool_size}"
    ]
    if pools.result_backend_pool_size is not None:
        databases.append(
            f"{names.release}-result-backend = host={db.host} dbname={db.name} port={db.port} "
            f"pool_size={pools.result_backend_pool_size}"
        )
    return "\n".join(
        [
            "[databases]",
            *databases,
            "",
            "[pgbouncer]",
            "pool_mode = transaction",
            f"listen_port = {PGBOUNCER_PORT}",
            "listen_addr = *",
            "auth_type = scram-sha-256",
            "auth_file = /etc/pgbouncer/users.txt",
            f"stats_users = {db.user}",
            "ignore_startup_parameters = extra_float_digits",
            f"max_client_conn = {pools.max_client_conn}",
            # Protocol-level prepared statements in transaction mode, for asyncpg (async_url).
            f"max_prepared_statements = {MAX_PREPARED_STATEMENTS}",
            "verbose = 0",
            "log_disconnections = 0",
            "log_connections = 0",
            "",
            f"server_tls_sslmode = {db.sslmode}",
            *([f"server_tls_ca_file = {CA_BUNDLE_PATH}"] if db.sslmode.startswith("verify") else []),
            "server_tls_ciphers = normal",
            "",
        ]
    )


def pgbouncer_users(db: DatabaseEndpoint) -> str:
    """``users.txt``: PgBouncer authenticates each client and connects to the server as the same
    user (Airflow's, and KEDA's read-only role when the stack has roles)."""
    users = [Credentials(db.user, db.password), *([db.keda] if db.keda is not None else [])]
    return "".join(f'"{_escaped(user.user)}" "{_escaped(user.password)}"\n' for user in users)


def pgbouncer_stats_url(db: DatabaseEndpoint) -> str:
    """The metrics exporter sidecar's connection to PgBouncer's admin console in the same pod."""
    return _url(db.user, db.password, "127.0.0.1", PGBOUNCER_PORT, "pgbouncer", "disable")


def _escaped(value: str) -> str:
    # users.txt doubles a double quote inside a quoted field.
    return value.replace('"', '""')
