"""The migration Job's role bootstrap, run exactly as the kit's Job runs it, on a real PostgreSQL.

The database is set up the way RDS hands it over: a master user that is *not* a superuser (it has
CREATEROLE and CREATEDB, like RDS's rds_superuser members) and owns the database. Roles other
than the test's own superuser log in with SCRAM passwords, so a role's password is really checked.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from pathlib import Path

import psycopg2
import pytest

from components.naming.kubernetes import Names
from components.values import database
from components.values.database import Credentials, DatabaseEndpoint
from components.values.jobs import migration_job
from components.values.kit_secrets import (
    APPLICATION_PASSWORD,
    CONNECTION,
    FERNET_KEY,
    KEDA_PASSWORD,
    MASTER_CONNECTION,
    kit_secrets,
)
from tests.support.airflow import AIRFLOW_TIMEOUT_SECONDS, AirflowHome
from tests.support.servers import Postgres, postgres
from tests.support.stacks import shipped_stack

pytestmark = pytest.mark.contract

MASTER = Credentials("rdsmaster", "Master-pass-1")
APP = Credentials("airflow_app", "App-pass-2")
KEDA = Credentials("airflow_keda", "Keda-pass-3")
DB_NAME = "airflow"
FERNET = "Jx4i0cBAyKbEIpZ8qY1b5Dx3QKx1sQyq9TgS6oNDqRQ="


@pytest.fixture
def rds_like(workdir: Path):
    with postgres(workdir, passwords=True) as server:
        with contextlib.closing(server.connect()) as connection:
            connection.autocommit = True
            with connection.cursor() as cursor:
                cursor.execute(f"CREATE ROLE {MASTER.user} LOGIN CREATEROLE CREATEDB PASSWORD %s", (MASTER.password,))
                cursor.execute(f"CREATE DATABASE {DB_NAME} OWNER {MASTER.user}")
        yield server


def _endpoint(server: Postgres) -> DatabaseEndpoint:
    return DatabaseEndpoint(
        host="127.0.0.1",
        port=server.port,
        name=DB_NAME,
        user=APP.user,
        password=APP.password,
        sslmode="disable",
        master=MASTER,
        keda=KEDA,
    )


def _job_environment(server: Postgres) -> tuple[str, dict[str, str]]:
    """The kit's migration Job for shipped prod: its script, and its env with each Secret
    reference replaced by what the kit writes into that Secret."""
    cfg = shipped_stack("prod")
    names = Names(cfg.kubernetes.release_name, cfg.kubernetes.namespace)
    secrets = kit_secrets(cfg, names)
    endpoint = _endpoint(server)
    secret_data = {
        (secrets.migration, CONNECTION): database.direct_url(endpoint),
        (secrets.migration, MASTER_CONNECTION): database.master_url(endpoint),
        (secrets.migration, APPLICATION_PASSWORD): APP.password,
        (secrets.migration, KEDA_PASSWORD): KEDA.password,
        (secrets.fernet_key, FERNET_KEY): FERNET,
    }
    [container] = migration_job(cfg, names, secrets, 32)["spec"]["template"]["spec"]["containers"]
    env: dict[str, str] = {}
    for item in container["env"]:
        if item["name"] == "PGSSLROOTCERT":
            continue  # verify-full is proven against a TLS server in test_db_access_tls.py
        ref = item.get("valueFrom", {}).get("secretKeyRef")
        env[item["name"]] = secret_data[(ref["name"], ref["key"])] if ref else item["value"]
    assert container["args"][:2] == ["bash", "-c"]
    return container["args"][2], env


def _run_job(home: AirflowHome, script: str, env: dict[str, str]) -> str:
    bin_dir = str(Path(sys.executable).parent)
    done = subprocess.run(
        ["bash", "-c", script],
        env={**home.environment(**env), "PATH": f"{bin_dir}:{os.environ['PATH']}"},
        cwd=home.path,
        capture_output=True,
        text=True,
        timeout=AIRFLOW_TIMEOUT_SECONDS,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    return done.stdout


def _connect(server: Postgres, who: Credentials):
    return psycopg2.connect(host="127.0.0.1", port=server.port, dbname=DB_NAME, user=who.user, password=who.password)


def _owners(server: Postgres) -> set[str]:
    rows = server.query(
        DB_NAME,
        "SELECT DISTINCT pg_get_userbyid(c.relowner) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'S', 'v')",
    )
    return {owner for (owner,) in rows}


def _assert_least_privilege(server: Postgres, home: AirflowHome, env: dict[str, str]) -> None:
    [(superuser, createrole, createdb)] = server.query(
        "postgres", "SELECT rolsuper, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname = %s", APP.user
    )
    assert (superuser, createrole, createdb) == (False, False, False)
    assert _owners(server) == {APP.user}  # Airflow's tables are the application role's alone

    # Airflow's normal work as the application role: write and read metadata.
    home.checked_airflow("variables", "set", "kit_roles_probe", "written-by-app", **env)
    assert "written-by-app" in home.checked_airflow("variables", "get", "kit_roles_probe", **env)
    refused = (psycopg2.errors.InsufficientPrivilege, psycopg2.errors.ReadOnlySqlTransaction)
    with (
        contextlib.closing(_connect(server, APP)) as app,
        app.cursor() as cursor,
        pytest.raises(psycopg2.errors.InsufficientPrivilege),
    ):
        cursor.execute("CREATE ROLE sneaky LOGIN")

    with contextlib.closing(_connect(server, KEDA)) as keda:
        with keda.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM task_instance WHERE state IN ('running', 'queued')")
            assert cursor.fetchone() == (0,)
        keda.rollback()
        for statement in (
            "DELETE FROM task_instance",
            "UPDATE task_instance SET state = 'failed'",
            "SELECT * FROM variable",  # nothing but task_instance
            "SELECT * FROM connection",
        ):
            with keda.cursor() as cursor, pytest.raises(refused):
                cursor.execute(statement)
            keda.rollback()
        keda.autocommit = True
        with keda.cursor() as cursor, pytest.raises(psycopg2.errors.ReadOnlySqlTransaction):
            cursor.execute("CREATE TEMP TABLE scratch (id int)")  # read-only, even for its own temp tables


def test_a_fresh_database_gets_least_privilege_roles_and_a_rerun_changes_nothing(rds_like, workdir):
    script, env = _job_environment(rds_like)
    home = AirflowHome.create(workdir / "airflow", {})

    first = _run_job(home, script, env)
    assert "database roles: roles done" in first
    assert "database roles: grants done" in first
    _run_job(home, script, env)  # the next version's Job: same roles, same grants, nothing fails

    _assert_least_privilege(rds_like, home, env)
    [(slots,)] = rds_like.query(DB_NAME, "SELECT slots FROM slot_pool WHERE pool = 'default_pool'")
    assert slots == 32


def test_a_database_airflow_migrated_as_master_is_handed_to_the_application_role(rds_like, workdir):
    """A stack that ran as the master user before turns roles on: its tables change owner."""
    script, env = _job_environment(rds_like)
    home = AirflowHome.create(workdir / "airflow", {})
    as_master = {**env, "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": env["KIT_MASTER_CONNECTION"]}
    home.checked_airflow("db", "migrate", **as_master)
    assert _owners(rds_like) == {MASTER.user}

    _run_job(home, script, env)

    _assert_least_privilege(rds_like, home, env)
