"""`airflow-ha status` against moto_server (through the gaps stand-in for pending maintenance) and the
Kubernetes API stand-in holding Helm's release Secrets."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from components.ops.errors import Exit
from tests.ops.accounts import CREDENTIALS, EKS_CONTEXT, Account, prod_stack_config, seed_account, write_stack
from tests.ops.cli import Run, run
from tests.support.ops_servers import aws_gaps, kubernetes_api
from tests.support.servers import moto_server

INSTANCE = "airflow-status-metadata"
BROKER = "airflow-status-broker"
TOKEN = "status-reader"
GIB = 1024**3


def _release(version: int, status: str) -> dict[str, Any]:
    labels = {"owner": "helm", "name": "airflow", "version": str(version), "status": status}
    return {"name": f"sh.helm.release.v1.airflow.v{version}", "labels": labels, "type": "helm.sh/release.v1"}


CLUSTER = {
    "token": TOKEN,
    "secrets": {
        "airflow": [
            _release(1, "superseded"),
            _release(2, "superseded"),
            _release(3, "deployed"),
            {"name": "sh.helm.release.v1.other.v9", "labels": {"owner": "helm", "name": "other", "version": "9"}},
        ]
    },
}


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    workdir = tmp_path_factory.mktemp("status")
    arn = f"arn:aws:rds:eu-west-1:123456789012:db:{INSTANCE}"
    gaps = {
        "rds_engine_versions": [],
        "rds_orderable": [],
        "redis_engine_versions": [],
        "cache_node_types": [],
        "pending_maintenance": {arn: [{"action": "system-update", "description": "New Operating System update"}]},
    }
    with (
        moto_server(workdir) as moto,
        aws_gaps(workdir, moto, gaps) as endpoint,
        kubernetes_api(workdir, CLUSTER, EKS_CONTEXT) as kubeconfig,
    ):
        account = seed_account(moto, endpoint)
        rds = account.client("rds")
        rds.create_db_instance(
            DBInstanceIdentifier=INSTANCE,
            Engine="postgres",
            EngineVersion="16.4",
            DBInstanceClass="db.r6g.xlarge",
            AllocatedStorage=100,
            MaxAllocatedStorage=1000,
            MasterUsername="airflow",
            MasterUserPassword="not-the-real-one",
            MultiAZ=True,
        )
        account.client("elasticache").create_replication_group(
            ReplicationGroupId=BROKER,
            ReplicationGroupDescription="broker",
            Engine="redis",
            CacheNodeType="cache.r7g.large",
            NumCacheClusters=2,
            MultiAZEnabled=True,
            AutomaticFailoverEnabled=True,
        )
        account.client("cloudwatch").put_metric_data(
            Namespace="AWS/RDS",
            MetricData=[
                {
                    "MetricName": "FreeStorageSpace",
                    "Dimensions": [{"Name": "DBInstanceIdentifier", "Value": INSTANCE}],
                    "Timestamp": dt.datetime.now(dt.UTC) - dt.timedelta(minutes=2),
                    "Value": 60 * GIB,
                    "Unit": "Bytes",
                }
            ],
        )
        yield {"account": account, "kubeconfig": kubeconfig}


def status(servers: dict[str, Any], tmp_path: Path, *args: str, **env: str | None) -> Run:
    account: Account = servers["account"]
    stack_file = write_stack(tmp_path, "status", prod_stack_config(account))
    environment = {**CREDENTIALS, "AWS_ENDPOINT_URL": account.endpoint, "KUBECONFIG": str(servers["kubeconfig"]), **env}
    return run("status", "--stack-file", str(stack_file), *args, env=environment)


def _rows(document: dict[str, Any], key: str) -> dict[str, Any]:
    return {row["item"]: row["value"] for row in document[key]}


def test_status_shows_database_broker_release_and_capacity(servers: dict[str, Any], tmp_path: Path) -> None:
    result = status(servers, tmp_path, "--output", "json")
    assert result.exit_code == Exit.OK, result.stdout + result.stderr
    document = result.document
    database = _rows(document, "database")
    assert database["state"] == "available"
    assert database["multi-AZ"] is True
    assert database["pending maintenance"] == "system-update (New Operating System update)"
    assert database["storage used"].startswith("40.0 GiB of 100 GiB")
    broker = _rows(document, "broker")
    assert broker["state"] == "available"
    # moto makes one member whatever NumCacheClusters says, and puts every primary in us-east-1a.
    assert broker["primary AZ"] == "us-east-1a"
    assert broker["automatic failover"] == "enabled"
    release = _rows(document, "release")
    assert release["revision"] == 3
    assert release["status"] == "deployed"
    assert release["secret"] == "sh.helm.release.v1.airflow.v3"
    capacity = document["capacity"]
    assert capacity["peakRunningTasks"] == 200  # the prod stack file's workload.peakRunningTasks
    assert capacity["slotsPerExecutor"]["CeleryExecutor"]["autoscaled"] is True


def test_text_status_is_one_screen_with_a_result_line(servers: dict[str, Any], tmp_path: Path) -> None:
    result = status(servers, tmp_path)
    assert result.exit_code == Exit.OK
    assert f"RDS {INSTANCE}" in result.stdout
    assert "task slots:" in result.stdout  # the capacity summary, as the plan prints it
    assert result.stdout.strip().splitlines()[-1] == "OK: stack 'status'"


def test_an_unreachable_cluster_still_shows_aws_and_says_why(servers: dict[str, Any], tmp_path: Path) -> None:
    result = status(servers, tmp_path, "--output", "json", KUBECONFIG=str(tmp_path / "missing"))
    assert result.exit_code == Exit.FAILED
    assert _rows(result.document, "database")["state"] == "available"
    assert "Helm release: no usable kubeconfig" in result.document["result"]
