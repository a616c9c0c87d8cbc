"""Connection strings the drivers accept as they are, with the password intact."""

from __future__ import annotations

import pytest
from sqlalchemy.dialects.postgresql.asyncpg import PGDialect_asyncpg
from sqlalchemy.dialects.postgresql.psycopg2 import PGDialect_psycopg2
from sqlalchemy.engine import make_url

from components.naming.kubernetes import Names
from components.tuning.model import PgbouncerPools
from components.values.database import DatabaseEndpoint, async_url, direct_url, pgbouncer_ini, pooled_url
from tests.support.chart import compose
from tests.support.stacks import stack

NAMES = Names(release="airflow", namespace="airflow")
RDS = DatabaseEndpoint(
    host="db.example.rds.amazonaws.com",
    port=5432,
    name="airflow",
    user="airflow",
    password="p@ss:w/rd?&=%",
    sslmode="require",
)


def connect_args(dialect, url: str) -> dict:
    return dialect.create_connect_args(make_url(url))[1]


@pytest.mark.parametrize(
    ("pgbouncer", "host", "ssl"), [(True, NAMES.pgbouncer_host, "disable"), (False, RDS.host, "require")]
)
def test_async_url_is_what_asyncpg_accepts(pgbouncer, host, ssl):
    args = connect_args(PGDialect_asyncpg(), async_url(RDS, NAMES, pgbouncer))
    assert "sslmode" not in args  # asyncpg.connect() refuses it
    assert (args["host"], args["ssl"], args["password"]) == (host, ssl, RDS.password)


def test_sync_urls_keep_libpq_sslmode():
    assert connect_args(PGDialect_psycopg2(), direct_url(RDS))["sslmode"] == "require"
    assert connect_args(PGDialect_psycopg2(), pooled_url(RDS, NAMES))["password"] == RDS.password


def test_pgbouncer_serves_named_prepared_statements_in_transaction_mode():
    ini = pgbouncer_ini(
        RDS, NAMES, PgbouncerPools(max_client_conn=100, metadata_pool_size=10, result_backend_pool_size=None)
    )
    settings = dict(
        line.split(" = ", 1) for line in ini.splitlines() if " = " in line and not line.startswith("airflow-")
    )
    assert settings["pool_mode"] == "transaction"
    assert int(settings["max_prepared_statements"]) > 0
    assert settings["server_tls_sslmode"] == "require"


def test_airflow_pods_get_the_async_connection_from_the_metadata_secret():
    values = compose(stack("prod"))
    assert {
        "envName": "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_ASYNC",
        "secretName": "airflow-metadata",
        "secretKey": "connection-async",
    } in values["secret"]
