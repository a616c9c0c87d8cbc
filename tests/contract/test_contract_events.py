"""The reference DAGs of ``examples/dags`` on real Airflow 3.2.2, with the kit's generated config.

One Airflow stack for the whole module, on 127.0.0.1: a private PostgreSQL, Redis (the Celery
broker), moto_server for S3 and SQS, and Airflow's api-server, scheduler, dag-processor, triggerer
and one Celery worker. The stack config declares an event source and XCom object storage as a
platform team would; the kit composes the Airflow config and the chart's env from it (the queue's
URL included). moto stands in for AWS: the bucket's notification is set as the kit sets it, and
moto delivers S3 → SQS notifications, which the real ``MessageQueueTrigger`` reads on the triggerer.
"""

from __future__ import annotations

import json
import secrets
import shutil
import uuid
from typing import Any

import boto3
import pytest

from components.aws.policies import event_queue_policy
from components.config.errors import PROJECT
from components.naming.aws import AwsNames
from components.tuning.derive import derive_tuning
from components.validation import validated_stack_config
from components.values.airflow_config import compose_airflow_config
from components.values.aws_connection import aws_connection_env
from components.values.events import event_queue_env
from components.values.refs import AwsRefs
from tests.support.airflow import AirflowHome, AirflowProcesses, kit_environment
from tests.support.paths import REPO
from tests.support.servers import moto_server, postgres, redis

pytestmark = pytest.mark.contract

EXAMPLES = REPO / "examples" / "dags"
REGION = "eu-west-1"
ACCOUNT = "123456789012"  # moto's account
LANDING_BUCKET = "example-landing"
LOGS_BUCKET = "airflow-contract-logs-123456789012"
DATABASE = "airflow_events"
SOURCE = {"name": "landing-orders", "bucket": LANDING_BUCKET, "prefix": "orders/", "events": ["s3:ObjectCreated:*"]}
# Every DAG the examples define, and those a test triggers by hand (the asset watcher runs on events).
DAG_IDS = {
    "example_export_finance",
    "example_export_marketing",
    "example_xcom_passing",
    "example_deferrable_s3_sensor",
    "example_asset_watcher",
    "example_trigger_rules",
    "example_trigger_parent",
    "example_trigger_child",
    "example_dynamic_task_mapping",
    "example_slack_notifier_override",
}
TRIGGERED = sorted(
    DAG_IDS - {"example_asset_watcher", "example_deferrable_s3_sensor", "example_trigger_child", "example_xcom_passing"}
)
SIZED_WORKER = {"requests": {"cpu": "2", "memory": "8Gi"}, "limits": {"cpu": "2", "memory": "8Gi"}}
SIZED_TASK = {"requests": {"cpu": "100m", "memory": "256Mi"}, "limits": {"cpu": "100m", "memory": "256Mi"}}
RUN_TIMEOUT_SECONDS = 300
STARTUP_TIMEOUT_SECONDS = 240


def stack_config():
    """A stack a platform team would write: Celery, one event source, XComs in S3, deferral on."""
    values: dict[str, Any] = {
        "tier": "dev",
        "executor": "CeleryExecutor",
        "aws": {
            "region": REGION,
            "vpcId": "vpc-0123456789abcdef0",
            "privateSubnetIds": ["subnet-0123456789abcdef0"],
            "eksClusterName": "contract",
        },
        "scheduler": {"replicas": 1},
        "apiServer": {"replicas": 1, "workers": 1},
        "pgbouncer": {"enabled": False},
        "celery": {"workers": {"keda": False, "concurrency": 8, "resources": SIZED_WORKER}},
        "triggerer": {"defaultDeferrable": True},
        "secretsBackend": {"type": "none"},
        "events": {"sources": [SOURCE]},
        "xcom": {"objectStorage": {"enabled": True}},
        "workload": {
            "peakRunningTasks": 8,
            "peakDeferredTasks": 10,
            "maxActiveRunsPerDag": 4,
            "maxActiveTasksPerDag": 8,
            "taskResources": SIZED_TASK,
        },
        "database": {"maxConnections": 300},
    }
    return validated_stack_config("contract", {f"{PROJECT}:{key}": value for key, value in values.items()})


def aws_clients(endpoint: str) -> dict[str, Any]:
    session = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION)
    return {service: session.client(service, endpoint_url=endpoint) for service in ("s3", "sqs")}


def provision(cfg, clients: dict[str, Any]) -> str:
    """What ``EventSources`` builds for the source, in moto: the queues, the policy, the notification."""
    s3, sqs = clients["s3"], clients["sqs"]
    names = AwsNames(cfg.kubernetes.release_name, cfg.stack, "16")
    for bucket in (LANDING_BUCKET, LOGS_BUCKET):
        s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
    (source,) = cfg.events.sources
    dead_letters = sqs.create_queue(QueueName=names.event_dead_letter_queue(source.name))["QueueUrl"]
    dead_letters_arn = sqs.get_queue_attributes(QueueUrl=dead_letters, AttributeNames=["QueueArn"])["Attributes"]
    url = sqs.create_queue(
        QueueName=names.event_queue(source.name),
        Attributes={
            "RedrivePolicy": json.dumps(
                {"deadLetterTargetArn": dead_letters_arn["QueueArn"], "maxReceiveCount": source.max_receive_count}
            )
        },
    )["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    policy = event_queue_policy(arn, f"arn:aws:s3:::{LANDING_BUCKET}", ACCOUNT)
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps(policy)})
    s3.put_bucket_notification_configuration(
        Bucket=LANDING_BUCKET,
        NotificationConfiguration={
            "QueueConfigurations": [
                {
                    "Id": f"airflow-{source.name}",
                    "QueueArn": arn,
                    "Events": list(source.events),
                    "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": source.prefix}]}},
                }
            ]
        },
    )
    return url


@pytest.fixture(scope="module")
def platform(tmp_path_factory):
    """The running stack; yields what the tests read: the database, the moto clients, the processes."""
    workdir = tmp_path_factory.mktemp("events")
    cfg = stack_config()
    with (
        postgres(workdir / "postgres") as database,
        redis(workdir / "redis") as broker,
        moto_server(workdir / "moto") as endpoint,
    ):
        clients = aws_clients(endpoint)
        queue_url = provision(cfg, clients)
        refs = AwsRefs(region=REGION, logs_bucket=LOGS_BUCKET, event_queue_urls={"landing-orders": queue_url})
        config = compose_airflow_config(cfg, derive_tuning(cfg), refs)
        chart_env = [aws_connection_env(refs), *event_queue_env(refs)]
        env = {**kit_environment(cfg), **{item["name"]: item["value"] for item in chart_env}}
        home = AirflowHome.create(workdir / "home", config, env)
        for example in EXAMPLES.iterdir():
            shutil.copy(example, home.dags / example.name)
        database.create_database(DATABASE)
        overrides = {
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": database.url(DATABASE),
            "AIRFLOW__CELERY__BROKER_URL": broker.url(),
            "AIRFLOW__CELERY__RESULT_BACKEND": f"db+{database.url(DATABASE, 'postgresql')}",
            "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
            "AIRFLOW__API__SECRET_KEY": secrets.token_hex(16),
            "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_hex(32),
            "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "5",
            "AIRFLOW__SCHEDULER__ASSET_WATCHERS_CHECK_INTERVAL": "5",
            # moto in place of AWS: every boto3 and aiobotocore client of Airflow's AWS hooks goes there.
            "AWS_ENDPOINT_URL": endpoint,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": REGION,
            "AIRFLOW_VAR_LANDING_BUCKET": LANDING_BUCKET,
        }
        with AirflowProcesses.for_home(home, **overrides) as airflow:
            airflow.migrate()
            airflow.start_components("api-server", "scheduler", "dag-processor", "triggerer")
            airflow.start("celery-worker", "celery", "worker", "--skip-serve-logs")
            airflow.wait_for_api_server()
            airflow.group.wait_for(
                "every reference DAG parsed",
                lambda: {row[0] for row in database.query(DATABASE, "SELECT dag_id FROM serialized_dag")} >= DAG_IDS,
                STARTUP_TIMEOUT_SECONDS,
                interval=2,
            )
            yield {"db": database, "s3": clients["s3"], "sqs": clients["sqs"], "airflow": airflow, "queue": queue_url}


def query(platform, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    return platform["db"].query(DATABASE, sql, *params)


def trigger(platform, dag_id: str, conf: dict[str, Any] | None = None) -> str:
    run_id = f"contract__{dag_id}__{uuid.uuid4().hex[:8]}"
    args = ["dags", "trigger", dag_id, "--run-id", run_id]
    if conf is not None:
        args += ["--conf", json.dumps(conf)]
    done = platform["airflow"].airflow(*args)
    assert done.returncode == 0, done.stderr[-3000:]
    return run_id


def run_state(platform, dag_id: str, run_id: str) -> str | None:
    rows = query(platform, "SELECT state FROM dag_run WHERE dag_id = %s AND run_id = %s", dag_id, run_id)
    return rows[0][0] if rows else None


def wait_until_finished(platform, dag_id: str, run_id: str) -> str:
    return platform["airflow"].group.wait_for(
        f"the run {run_id}",
        lambda: (state := run_state(platform, dag_id, run_id)) in ("success", "failed") and state,
        RUN_TIMEOUT_SECONDS,
        interval=2,
    )


def task_states(platform, dag_id: str, run_id: str) -> dict[str, str]:
    rows = query(platform, "SELECT task_id, state FROM task_instance WHERE dag_id = %s AND run_id = %s", dag_id, run_id)
    return dict(rows)


def test_every_reference_dag_parses_without_import_errors(platform):
    assert query(platform, "SELECT filename, stacktrace FROM import_error") == []
    parsed = {row[0] for row in query(platform, "SELECT dag_id FROM dag WHERE is_stale IS NOT TRUE")}
    assert parsed >= DAG_IDS


def test_reference_dags_run_to_success(platform):
    runs = {dag_id: trigger(platform, dag_id) for dag_id in TRIGGERED}
    finished = {dag_id: wait_until_finished(platform, dag_id, run_id) for dag_id, run_id in runs.items()}
    failures = {
        dag_id: task_states(platform, dag_id, runs[dag_id]) for dag_id, state in finished.items() if state != "success"
    }
    assert failures == {}
    rules = task_states(platform, "example_trigger_rules", runs["example_trigger_rules"])
    assert rules == {
        "primary": "success",
        "mirror": "skipped",
        "merge": "success",
        "publish": "success",
        "alert_both_sources_failed": "skipped",
        "probe": "failed",
        "fallback": "success",
    }
    child_runs = query(platform, "SELECT state FROM dag_run WHERE dag_id = 'example_trigger_child'")
    assert ("success",) in child_runs


def test_a_large_xcom_lands_in_s3_and_the_database_keeps_its_path(platform):
    run_id = trigger(platform, "example_xcom_passing")
    assert wait_until_finished(platform, "example_xcom_passing", run_id) == "success"
    rows = dict(
        query(
            platform,
            "SELECT task_id, value::text FROM xcom WHERE dag_id = %s AND run_id = %s AND key = 'return_value'",
            "example_xcom_passing",
            run_id,
        )
    )
    assert json.loads(rows["small"]) == {"rows": 42}
    path = json.loads(rows["large"])
    assert isinstance(path, str)
    assert path.startswith(f"s3://aws_irsa@{LOGS_BUCKET}/xcom/")
    assert len(rows["large"]) < 1024  # the path, not 2 MiB
    key = path.split(f"{LOGS_BUCKET}/", 1)[1]
    stored = platform["s3"].get_object(Bucket=LOGS_BUCKET, Key=key)["Body"].read()
    assert len(json.loads(stored)) == 2048


def test_the_sensor_defers_and_the_triggerer_completes_it_when_the_key_appears(platform):
    key = f"orders/sensor-{uuid.uuid4().hex[:8]}.json"
    dag_id = "example_deferrable_s3_sensor"
    run_id = trigger(platform, dag_id, {"key": key})
    platform["airflow"].group.wait_for(
        "the sensor deferred",
        lambda: task_states(platform, dag_id, run_id).get("wait_for_key") == "deferred",
        RUN_TIMEOUT_SECONDS,
        interval=1,
    )
    trigger_rows = query(
        platform,
        "SELECT t.classpath FROM trigger t JOIN task_instance ti ON ti.trigger_id = t.id "
        "WHERE ti.dag_id = %s AND ti.run_id = %s",
        dag_id,
        run_id,
    )
    assert trigger_rows == [("airflow.providers.amazon.aws.triggers.s3.S3KeyTrigger",)]
    platform["s3"].put_object(Bucket=LANDING_BUCKET, Key=key, Body=b"{}")
    assert wait_until_finished(platform, dag_id, run_id) == "success"
    assert task_states(platform, dag_id, run_id) == {"wait_for_key": "success", "process": "success"}


def test_an_object_in_the_watched_bucket_starts_an_asset_triggered_run(platform):
    name = f"asset-{uuid.uuid4().hex[:8]}.json"
    key = f"orders/{name}"
    platform["s3"].put_object(Bucket=LANDING_BUCKET, Key=key, Body=b'{"order": 1}')

    def run_for_key() -> str | None:
        rows = query(
            platform,
            "SELECT r.run_id FROM dag_run r "
            "JOIN dagrun_asset_event e ON e.dag_run_id = r.id JOIN asset_event a ON a.id = e.event_id "
            "WHERE r.dag_id = 'example_asset_watcher' AND r.run_type = 'asset_triggered' AND a.extra::text LIKE %s",
            f"%{name}%",  # the notification carries the key URL-encoded (orders%2F...)
        )
        return rows[0][0] if rows else None

    run_id = platform["airflow"].group.wait_for("an asset-triggered run", run_for_key, RUN_TIMEOUT_SECONDS, interval=2)
    assert wait_until_finished(platform, "example_asset_watcher", run_id) == "success"
    (ingested,) = query(
        platform,
        "SELECT value::text FROM xcom WHERE dag_id = 'example_asset_watcher' AND run_id = %s AND task_id = 'ingest'",
        run_id,
    )
    assert key in json.loads(ingested[0])
