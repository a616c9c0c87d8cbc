"""`airflow-ha db snapshot|failover|restore-drill` against moto_server's RDS through the real boto3 calls.

moto restores a snapshot to an instance with an endpoint nobody listens on, so the drill's
connection step goes ``--via`` a local PostgreSQL that `airflow db migrate` (real Airflow 3.2.2)
brought to the schema of the stack's Airflow version.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from components.ops.alembic_heads import REVISION_HEADS, revision_of
from components.ops.errors import Exit
from tests.ops.accounts import CREDENTIALS, EKS_CONTEXT, REGION, Account, prod_stack_config, seed_account, write_stack
from tests.ops.cli import Run, run
from tests.support.airflow import AirflowHome
from tests.support.ops_servers import kubernetes_api
from tests.support.servers import moto_server, postgres

INSTANCE = "airflow-dbdrill-metadata"  # AwsNames of release `airflow`, stack `dbdrill`
SINGLE_AZ = "airflow-single-metadata"


@pytest.fixture(scope="module")
def account(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Account, Any]]:
    workdir = tmp_path_factory.mktemp("db")
    with moto_server(workdir) as moto:
        seeded = seed_account(moto, moto)
        rds = boto3.client(
            "rds", endpoint_url=moto, region_name=REGION, aws_access_key_id="t", aws_secret_access_key="t"
        )
        rds.create_db_subnet_group(
            DBSubnetGroupName=INSTANCE, DBSubnetGroupDescription="metadata", SubnetIds=seeded.subnets
        )
        for identifier, multi_az in ((INSTANCE, True), (SINGLE_AZ, False)):
            rds.create_db_instance(
                DBInstanceIdentifier=identifier,
                Engine="postgres",
                EngineVersion="16.4",
                DBInstanceClass="db.r6g.xlarge",
                AllocatedStorage=100,
                MasterUsername="airflow",
                MasterUserPassword="not-the-real-one",
                DBName="airflow",
                MultiAZ=multi_az,
                DBSubnetGroupName=INSTANCE,
            )
        yield seeded, rds


def db(account: tuple[Account, Any], tmp_path: Path, *args: str, stack: str = "dbdrill", **env: str | None) -> Run:
    seeded, _ = account
    stack_file = write_stack(tmp_path, stack, prod_stack_config(seeded))
    environment = {**CREDENTIALS, "AWS_ENDPOINT_URL": seeded.endpoint, **env}
    return run(
        "db", *args, "--stack-file", str(stack_file), "--poll-interval", "0.2", "--output", "json", env=environment
    )


def test_snapshot_waits_until_available(account: tuple[Account, Any], tmp_path: Path) -> None:
    result = db(account, tmp_path, "snapshot", "--name", "before-upgrade")
    assert result.exit_code == Exit.OK, result.stdout
    assert "before-upgrade" in result.document["result"]
    _, rds = account
    found = rds.describe_db_snapshots(DBSnapshotIdentifier="before-upgrade")["DBSnapshots"][0]
    assert found["DBInstanceIdentifier"] == INSTANCE
    assert found["Status"] == "available"


def test_snapshot_dry_run_creates_nothing(account: tuple[Account, Any], tmp_path: Path) -> None:
    result = db(account, tmp_path, "snapshot", "--name", "dry-one", "--dry-run")
    assert result.exit_code == Exit.OK
    assert result.document["result"].startswith("dry run: would snapshot")
    _, rds = account
    names = [s["DBSnapshotIdentifier"] for s in rds.describe_db_snapshots()["DBSnapshots"]]
    assert "dry-one" not in names


def test_a_stack_whose_database_does_not_exist_is_one_line(account: tuple[Account, Any], tmp_path: Path) -> None:
    result = db(account, tmp_path, "snapshot", stack="nodatabase")
    assert result.exit_code == Exit.NOT_FOUND
    assert result.document["error"].startswith("no RDS instance airflow-nodatabase-metadata in eu-west-1")


def test_failover_asks_first_and_a_refusal_changes_nothing(account: tuple[Account, Any], tmp_path: Path) -> None:
    seeded, _ = account
    stack_file = write_stack(tmp_path, "dbdrill", prod_stack_config(seeded))
    env = {**CREDENTIALS, "AWS_ENDPOINT_URL": seeded.endpoint}
    refused = run("db", "failover", "--stack-file", str(stack_file), env=env, input="n\n")
    assert refused.exit_code == Exit.ABORTED
    assert "Fail over airflow-dbdrill-metadata" in refused.stderr
    assert "not confirmed; nothing was changed" in refused.stderr


def test_failover_with_yes_reboots_and_waits(account: tuple[Account, Any], tmp_path: Path) -> None:
    result = db(account, tmp_path, "failover", "--yes")
    assert result.exit_code == Exit.OK, result.stdout
    assert result.document["primaryZoneBefore"]
    assert "is available again" in result.document["result"]


def test_failover_refuses_an_instance_without_a_standby(account: tuple[Account, Any], tmp_path: Path) -> None:
    result = db(account, tmp_path, "failover", "--yes", stack="single")
    assert result.exit_code == Exit.BAD_INPUT
    assert "is not Multi-AZ" in result.document["error"]


def test_restore_drill_of_a_nonexistent_snapshot_is_one_line(account: tuple[Account, Any], tmp_path: Path) -> None:
    result = db(account, tmp_path, "restore-drill", "--snapshot", "no-such-snapshot", "--yes", PGPASSWORD="x")
    assert result.exit_code == Exit.NOT_FOUND
    assert result.error_lines == [result.stderr.strip()]
    assert "no snapshot no-such-snapshot" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.fixture(scope="module")
def migrated_postgres(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """A local PostgreSQL at the schema of Airflow 3.2.2 (real `airflow db migrate`); yields its port."""
    workdir = tmp_path_factory.mktemp("drill-db")
    with postgres(workdir) as server:
        server.create_database("airflow")
        home = AirflowHome.create(workdir / "airflow-home", {"core": {"load_examples": "False"}})
        home.checked_airflow("db", "migrate", AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=server.url("airflow"))
        yield server.port


def test_restore_drill_restores_checks_the_schema_and_deletes(
    account: tuple[Account, Any], migrated_postgres: int, tmp_path: Path
) -> None:
    _, rds = account
    rds.create_db_snapshot(DBSnapshotIdentifier="nightly", DBInstanceIdentifier=INSTANCE)
    result = db(
        account, tmp_path, "restore-drill", "--yes", "--via", f"127.0.0.1:{migrated_postgres}", PGPASSWORD="trusted"
    )
    assert result.exit_code == Exit.OK, result.stdout + result.stderr
    document = result.document
    assert document["revision"] == document["expectedRevision"] == "1d6611b6ab7c"  # Airflow 3.2.x's head
    assert document["restoreSeconds"] >= 0
    assert document["result"].startswith("restore took ")
    left = [i["DBInstanceIdentifier"] for i in rds.describe_db_instances()["DBInstances"]]
    assert document["drillInstance"] not in left
    assert document["drillInstance"].startswith(f"{INSTANCE}-drill-")


def test_restore_drill_fails_on_another_schema_and_still_deletes(
    account: tuple[Account, Any], migrated_postgres: int, tmp_path: Path
) -> None:
    _, rds = account
    result = db(
        account,
        tmp_path,
        "restore-drill",
        "--yes",
        "--via",
        f"127.0.0.1:{migrated_postgres}",
        "--expected-revision",
        REVISION_HEADS["3.1.8"],
        PGPASSWORD="trusted",
    )
    assert result.exit_code == Exit.FAILED
    assert "not 509b94a1042d" in result.document["result"]
    left = [i["DBInstanceIdentifier"] for i in rds.describe_db_instances()["DBInstances"]]
    assert result.document["drillInstance"] not in left


def test_restore_drill_dry_run_restores_nothing(account: tuple[Account, Any], tmp_path: Path) -> None:
    _, rds = account
    before = len(rds.describe_db_instances()["DBInstances"])
    result = db(account, tmp_path, "restore-drill", "--dry-run", PGPASSWORD="x")
    assert result.exit_code == Exit.OK
    assert result.document["result"].startswith("dry run: would restore")
    assert len(rds.describe_db_instances()["DBInstances"]) == before


def test_the_revision_table_matches_the_installed_airflow() -> None:
    from airflow import __version__
    from airflow.utils.db import _REVISION_HEADS_MAP

    for version in REVISION_HEADS:
        assert _REVISION_HEADS_MAP[version] == REVISION_HEADS[version]
    newest = max(v for v in _REVISION_HEADS_MAP if v.startswith("3."))
    assert newest in REVISION_HEADS  # a new Airflow migration must reach the kit's table
    assert revision_of(__version__) == _REVISION_HEADS_MAP[newest]


def _direct_connection_secret(password: str) -> dict[str, Any]:
    """The migration Job's Secret with database roles on: Airflow's role, and the master user's bootstrap."""
    host = f"{INSTANCE}.abc.eu-west-1.rds.amazonaws.com:5432/airflow?sslmode=verify-full"

    def encoded(user: str) -> str:
        return base64.b64encode(f"postgresql://{user}:{password}@{host}".encode()).decode()

    # The local PostgreSQL knows only `airflow`: the drill succeeds only as the master user.
    data = {"connection": encoded("airflow_application"), "master-connection": encoded("airflow")}
    return {"name": "airflow-metadata-direct", "labels": {}, "data": data}


def test_restore_drill_reads_the_password_from_the_release_secret(
    account: tuple[Account, Any], migrated_postgres: int, tmp_path: Path
) -> None:
    cluster = {"token": "drill", "secrets": {"airflow": [_direct_connection_secret("p%40ss-from-the-secret")]}}
    with kubernetes_api(tmp_path, cluster, EKS_CONTEXT) as kubeconfig:
        result = db(
            account,
            tmp_path,
            "restore-drill",
            "--yes",
            "--via",
            f"127.0.0.1:{migrated_postgres}",
            PGPASSWORD=None,
            KUBECONFIG=str(kubeconfig),
        )
    assert result.exit_code == Exit.OK, result.stdout + result.stderr
    assert result.document["revision"] == "1d6611b6ab7c"


def test_restore_drill_without_any_password_says_where_to_get_one(account: tuple[Account, Any], tmp_path: Path) -> None:
    with kubernetes_api(tmp_path, {"token": "drill", "secrets": {}}, EKS_CONTEXT) as kubeconfig:
        result = db(account, tmp_path, "restore-drill", "--yes", PGPASSWORD=None, KUBECONFIG=str(kubeconfig))
    assert result.exit_code == Exit.BAD_INPUT
    assert result.error_lines == [result.stderr.strip()]
    assert "no database password: PGPASSWORD is not set, and Kubernetes has no such resource" in result.stderr
    assert "export PGPASSWORD" in result.stderr
