"""`broker.type: rabbitmq`: the config it takes and refuses, the Amazon MQ broker the data plane
builds (under the mock engine), the log retention it sets (against moto_server), and the chart
it renders, where KEDA still scales the workers on the metadata database."""

from __future__ import annotations

import json
import os
from urllib.parse import urlsplit

import pytest
import yaml

from components.aws.amazon_mq import AMQPS_PORT, amqps_broker_url
from components.plan.engine import SECRET
from components.plan.standins.aws import CLUSTER_SECURITY_GROUP
from components.tuning.broker_capacity import rabbitmq_connections
from components.tuning.capacity import capacity_report, capacity_summary
from components.tuning.derive import derive_tuning
from tests.support.programs import DB_PASSWORD_SENTINEL, is_secret, plaintext_forms, resolved, run_data_plane
from tests.support.servers import moto_server
from tests.support.stacks import AWS_SECTION, problem_at, problems, sized, stack

RABBITMQ = {"type": "rabbitmq"}
MQ_BROKER = "aws:mq/broker:Broker"
DYNAMIC = "pulumi-python:dynamic:Resource"


class TestConfig:
    def test_redis_stays_the_default(self):
        cfg = stack("prod")
        assert cfg.broker.type == "redis"
        assert cfg.uses_redis
        assert not cfg.uses_rabbitmq

    def test_tier_defaults(self):
        prod, dev = stack("prod", broker=RABBITMQ).rabbitmq, stack("dev", broker=RABBITMQ, executor="CeleryExecutor")
        assert prod is not None
        assert dev.rabbitmq is not None
        assert (prod.deployment_mode, prod.instance_type) == ("CLUSTER_MULTI_AZ", "mq.m5.large")
        assert (dev.rabbitmq.deployment_mode, dev.rabbitmq.instance_type) == ("SINGLE_INSTANCE", "mq.t3.micro")
        assert prod.maintenance_window.day_of_week == "SUNDAY"

    def test_rabbitmq_with_a_kubernetes_executor_only_stack(self):
        message = problem_at("dev", "broker.type", executor="KubernetesExecutor", broker=RABBITMQ)
        assert "'KubernetesExecutor' runs no Celery workers" in message
        assert "'CeleryExecutor,KubernetesExecutor'" in message

    def test_rabbitmq_in_the_local_tier(self):
        assert "needs an AWS tier" in problem_at("local", "broker.type", broker=RABBITMQ)

    def test_prod_requires_the_cluster(self):
        message = problem_at(
            "prod", "rabbitmq.deploymentMode", broker=RABBITMQ, rabbitmq={"deploymentMode": "SINGLE_INSTANCE"}
        )
        assert "requires CLUSTER_MULTI_AZ" in message

    def test_a_micro_broker_cannot_be_a_cluster(self):
        message = problem_at(
            "staging",
            "rabbitmq.instanceType",
            broker=RABBITMQ,
            rabbitmq={"deploymentMode": "CLUSTER_MULTI_AZ", "instanceType": "mq.t3.micro"},
        )
        assert "SINGLE_INSTANCE only" in message

    def test_a_cluster_needs_two_subnets(self):
        message = problem_at(
            "dev",
            "rabbitmq.deploymentMode",
            aws={**AWS_SECTION, "privateSubnetIds": ["subnet-0aaa1111bbbb22220"]},
            executor="CeleryExecutor",
            broker=RABBITMQ,
            rabbitmq={"deploymentMode": "CLUSTER_MULTI_AZ", "instanceType": "mq.m5.large"},
        )
        assert "aws.privateSubnetIds has 1" in message

    def test_the_other_brokers_section_is_refused(self):
        assert "broker.type is 'rabbitmq'" in problem_at("prod", "redis", broker=RABBITMQ, redis={"multiAz": True})
        assert "broker.type 'redis'" in problem_at("prod", "rabbitmq", rabbitmq={"logRetentionDays": 30})

    def test_a_retention_cloudwatch_does_not_offer(self):
        assert "1, 3, 5, 7, 14, 30" in problem_at(
            "prod", "rabbitmq.logRetentionDays", broker=RABBITMQ, rabbitmq={"logRetentionDays": 10}
        )

    def test_maintenance_window_time_is_checked(self):
        found = problems(
            "prod", broker=RABBITMQ, rabbitmq={"maintenanceWindow": {"dayOfWeek": "SUNDAY", "timeOfDay": "25:00"}}
        )
        assert [key for key, _ in found] == ["rabbitmq.maintenanceWindow.timeOfDay"]

    def test_every_problem_at_once(self):
        found = problems(
            "prod", broker=RABBITMQ, redis={"multiAz": True}, rabbitmq={"deploymentMode": "SINGLE_INSTANCE"}
        )
        assert {key for key, _ in found} == {"redis", "rabbitmq.deploymentMode"}


class TestCapacity:
    def test_connections_count_workers_and_schedulers(self):
        cfg = stack("prod", broker=RABBITMQ)
        connections = rabbitmq_connections(cfg)
        assert connections is not None
        # prod: 128 tasks at peak on workers of 4 CPU / 16Gi for 250m / 1Gi tasks → 15 each → 9 workers.
        assert connections.workers == 9 * 3
        assert connections.schedulers == cfg.scheduler.replicas * 10
        assert connections.limit == 5_000 * 2  # a three-node cluster with one node down

    def test_a_broker_too_small_for_the_workers_is_refused(self):
        message = problem_at(
            "dev",
            "rabbitmq.instanceType",
            executor="CeleryExecutor",
            broker=RABBITMQ,
            celery={"workers": {"maxReplicas": 200}},
            workload={"peakRunningTasks": 400},
            database={"instanceClass": "db.r6g.4xlarge"},
            pgbouncer={"enabled": True},
        )
        assert "mq.t3.micro on one node accepts 500" in message
        assert "Celery may open 610 broker connections (200 workers" in message

    def test_redis_stacks_have_no_broker_connection_figure(self):
        assert rabbitmq_connections(stack("prod")) is None
        cfg = stack("prod")
        assert capacity_report(cfg, derive_tuning(cfg))["broker"] is None

    def test_queue_worker_sets_count_too(self):
        heavy = {"name": "heavy", "peakRunningTasks": 10, "taskResources": sized("4", "16Gi")}
        cfg = stack(
            "prod", broker=RABBITMQ, workload={"queues": [heavy]}, celery={"workers": {"resources": sized("8", "34Gi")}}
        )
        tuning = derive_tuning(cfg)
        workers = tuning.max_celery_workers + sum(queue.max_workers for queue in tuning.queues)
        assert tuning.queues
        assert rabbitmq_connections(cfg).workers == workers * 3

    def test_the_capacity_report_shows_the_broker(self):
        cfg = stack("prod", broker=RABBITMQ)
        report = capacity_report(cfg, derive_tuning(cfg))
        assert report["broker"] == {
            "instanceType": "mq.m5.large",
            "connections": 9 * 3 + 2 * 10,
            "limit": 10_000,
            "nodesCounted": 2,
        }
        assert "broker: 47 Celery connections, mq.m5.large accepts 10000 on 2 nodes" in capacity_summary(report)


@pytest.fixture(scope="module")
def prod():
    return run_data_plane("prod", broker=RABBITMQ)


class TestDataPlane:
    def test_a_private_three_node_cluster_across_the_subnets(self, prod):
        broker = prod.one(MQ_BROKER).inputs
        assert broker["engineType"] == "RabbitMQ"
        assert broker["deploymentMode"] == "CLUSTER_MULTI_AZ"
        assert broker["subnetIds"] == AWS_SECTION["privateSubnetIds"]
        assert broker["publiclyAccessible"] is False
        assert broker["hostInstanceType"] == "mq.m5.large"
        assert broker["engineVersion"] == "3.13"
        assert broker["autoMinorVersionUpgrade"] is True
        assert broker["applyImmediately"] is False
        assert broker["logs"] == {"general": True}
        assert broker["maintenanceWindowStartTime"] == {"dayOfWeek": "SUNDAY", "timeOfDay": "03:00", "timeZone": "UTC"}
        assert broker["securityGroups"] == ["prod-aws-broker-sg-id"]

    def test_single_instance_below_prod_in_the_first_subnet(self):
        plane = run_data_plane("staging", broker=RABBITMQ)
        broker = plane.one(MQ_BROKER).inputs
        assert broker["deploymentMode"] == "SINGLE_INSTANCE"
        assert broker["subnetIds"] == AWS_SECTION["privateSubnetIds"][:1]

    def test_only_the_cluster_reaches_amqps(self, prod):
        rules = [
            r for r in prod.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule") if "broker" in r.name
        ]
        assert [(r.inputs["fromPort"], r.inputs["toPort"], r.inputs["referencedSecurityGroupId"]) for r in rules] == [
            (AMQPS_PORT, AMQPS_PORT, CLUSTER_SECURITY_GROUP)
        ]

    def test_no_elasticache_with_rabbitmq(self, prod):
        assert [r.type for r in prod.aws_registrations() if r.type.startswith("aws:elasticache/")] == []

    def test_credentials_are_generated_and_never_plaintext(self, prod):
        broker = prod.one(MQ_BROKER)
        assert broker.inputs["users"] == [{"username": "airflow", "password": SECRET}]
        registered = json.dumps([r.inputs for r in prod.run.registrations])
        # The sentinel is the generated password (test_the_broker_url_is_a_secret_amqps_url sees it in the URL).
        for form in plaintext_forms(DB_PASSWORD_SENTINEL):
            assert form not in registered

    def test_the_broker_url_is_a_secret_amqps_url(self, prod):
        assert is_secret(prod.outputs.broker_url)
        url = urlsplit(resolved(prod.outputs.broker_url))
        assert url.scheme == "amqps"
        assert (url.username, url.password) == ("airflow", DB_PASSWORD_SENTINEL)
        assert url.hostname.endswith(".mq.eu-west-1.amazonaws.com")
        assert url.port == AMQPS_PORT
        assert url.path == "//"  # RabbitMQ's default vhost `/`

    def test_the_general_log_group_gets_the_retention(self, prod):
        (retention,) = [r for r in prod.of_type(DYNAMIC) if r.name == "prod-aws-broker-log-retention"]
        assert retention.inputs["logGroupName"] == "/aws/amazonmq/broker/prod-aws-broker-rabbitmq-id/general"
        assert retention.inputs["retentionInDays"] == 90
        assert retention.inputs["region"] == "eu-west-1"


def test_url_encodes_the_password():
    assert amqps_broker_url("airflow", "p@ss/word", "amqps://b-1.mq.eu-west-1.amazonaws.com:5671") == (
        "amqps://airflow:p%40ss%2Fword@b-1.mq.eu-west-1.amazonaws.com:5671//"
    )


def test_log_retention_against_cloudwatch_logs(workdir, monkeypatch):
    """The real boto3 calls of the retention resource, against moto_server: a group Amazon MQ
    already created keeps its logs and gets the retention; a missing one is created with it."""
    import boto3

    from components.aws.log_retention import apply_retention

    with moto_server(workdir) as endpoint:
        for key, value in {
            "AWS_ENDPOINT_URL": endpoint,
            "AWS_ACCESS_KEY_ID": "test",
            "AWS_SECRET_ACCESS_KEY": "test",
        }.items():
            monkeypatch.setenv(key, value)
        logs = boto3.client("logs", region_name="eu-west-1")
        logs.create_log_group(logGroupName="/aws/amazonmq/broker/b-1/general")
        apply_retention("eu-west-1", "/aws/amazonmq/broker/b-1/general", 90)
        apply_retention("eu-west-1", "/aws/amazonmq/broker/b-2/general", 7)
        apply_retention("eu-west-1", "/aws/amazonmq/broker/b-2/general", 30)  # again: an update
        groups = {g["logGroupName"]: g.get("retentionInDays") for g in logs.describe_log_groups()["logGroups"]}
    assert groups == {"/aws/amazonmq/broker/b-1/general": 90, "/aws/amazonmq/broker/b-2/general": 30}
    assert os.environ["AWS_ENDPOINT_URL"] == endpoint


def test_keda_still_scales_on_the_metadata_database():
    from tests.test_chart_render import of_kind, render_text

    cfg = stack("prod", broker=RABBITMQ)
    documents = [document for document in yaml.safe_load_all(render_text(cfg)) if document]
    [scaler] = of_kind(documents, "ScaledObject").values()
    [trigger] = scaler["spec"]["triggers"]
    assert trigger["type"] == "postgresql"
    assert "task_instance" in trigger["metadata"]["query"]
    assert "worker_concurrency" not in trigger["metadata"]["query"]  # the chart divides by the value itself
    assert scaler["spec"]["scaleTargetRef"]["name"] == "airflow-worker"
    # The workers read the broker URL from the kit's Secret; the chart runs no Redis of its own.
    kinds = {(document["kind"], document["metadata"]["name"]) for document in documents}
    assert not [name for kind, name in kinds if "redis" in name]
    worker = of_kind(documents, "Deployment")["airflow-worker"]
    env = {e["name"]: e for e in worker["spec"]["template"]["spec"]["containers"][0]["env"]}
    assert env["AIRFLOW__CELERY__BROKER_URL"]["valueFrom"]["secretKeyRef"] == {
        "name": "airflow-broker-url",
        "key": "connection",
    }
