"""The Celery broker on Amazon MQ for RabbitMQ: private, AMQP over TLS only, generated credentials.

A ``CLUSTER_MULTI_AZ`` broker is three RabbitMQ nodes across the stack's subnets behind one
endpoint, with quorum-replicated definitions; ``SINGLE_INSTANCE`` is one node in the first subnet.
Amazon MQ encrypts RabbitMQ storage with an AWS-owned key (it takes no customer key for RabbitMQ)
and serves AMQPS on 5671 with a certificate from a public CA, which Celery verifies against the
system trust store.
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import quote

import pulumi
import pulumi_aws as aws
import pulumi_random as random

from ..args import Network
from ..config.sections.aws import RABBITMQ_CLUSTER, RabbitmqSection
from ..naming.aws import AwsNames
from .log_retention import LogRetention
from .network import cluster_only_security_group

AMQPS_PORT = 5671
USERNAME = "airflow"
# Amazon MQ passwords: 12 to 250 characters, no commas, colons or equals signs; alphanumeric keeps URLs simple.
PASSWORD_LENGTH = 40


def amqps_broker_url(username: str, password: str, endpoint: str) -> str:
    """What Celery connects with: ``amqps://`` (TLS) to the broker's endpoint, RabbitMQ's default vhost."""
    host = endpoint.removeprefix("amqps://").rstrip("/")
    return f"amqps://{quote(username, safe='')}:{quote(password, safe='')}@{host}//"


def general_log_group(broker_id: str) -> str:
    return f"/aws/amazonmq/broker/{broker_id}/general"


class RabbitmqBroker(pulumi.ComponentResource):
    def __init__(
        self,
        name: str,
        rabbitmq: RabbitmqSection,
        network: Network,
        aws_names: AwsNames,
        *,
        region: str,
        sources: Sequence[pulumi.Input[str]],
        opts: pulumi.ResourceOptions,
    ):
        super().__init__("airflow-ha:aws:RabbitmqBroker", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        cluster = rabbitmq.deployment_mode == RABBITMQ_CLUSTER

        security_group = cluster_only_security_group(
            f"{name}-sg",
            group_name=aws_names.broker,
            description="Airflow Celery broker: AMQPS from the EKS cluster only",
            vpc_id=network.vpc_id,
            port=AMQPS_PORT,
            sources=sources,
            opts=child,
        )
        password = random.RandomPassword(f"{name}-password", length=PASSWORD_LENGTH, special=False, opts=child)
        secret_password = pulumi.Output.secret(password.result)
        window = rabbitmq.maintenance_window
        self.broker = aws.mq.Broker(
            f"{name}-rabbitmq",
            broker_name=aws_names.broker,
            engine_type="RabbitMQ",
            engine_version=rabbitmq.engine_version,
            host_instance_type=rabbitmq.instance_type,
            deployment_mode=rabbitmq.deployment_mode,
            subnet_ids=list(network.subnet_ids) if cluster else [network.subnet_ids[0]],
            security_groups=[security_group.id],
            publicly_accessible=False,
            storage_type="ebs",
            auto_minor_version_upgrade=True,
            apply_immediately=False,
            users=[aws.mq.BrokerUserArgs(username=USERNAME, password=secret_password)],
            logs=aws.mq.BrokerLogsArgs(general=True),
            maintenance_window_start_time=aws.mq.BrokerMaintenanceWindowStartTimeArgs(
                day_of_week=window.day_of_week, time_of_day=window.time_of_day, time_zone=window.time_zone
            ),
            opts=child.merge(pulumi.ResourceOptions(additional_secret_outputs=["users"])),
        )
        LogRetention(
            f"{name}-log-retention",
            region=region,
            log_group_name=self.broker.id.apply(general_log_group),
            retention_in_days=rabbitmq.log_retention_days,
            opts=child.merge(pulumi.ResourceOptions(depends_on=[self.broker])),
        )

        endpoint = self.broker.instances.apply(lambda instances: instances[0].endpoints[0])
        self.host: pulumi.Output[str] = endpoint.apply(lambda url: url.removeprefix("amqps://").split(":")[0])
        self.url: pulumi.Output[str] = pulumi.Output.secret(
            pulumi.Output.all(secret_password, endpoint).apply(lambda args: amqps_broker_url(USERNAME, *args))
        )
        self.security_group_id: pulumi.Output[str] = security_group.id
        self.register_outputs({"host": self.host, "securityGroupId": self.security_group_id})
