"""The Celery broker: an ElastiCache Redis OSS replication group, TLS and AUTH required."""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import quote

import pulumi
import pulumi_aws as aws
import pulumi_random as random

from ..args import Network
from ..config.sections.aws import RedisSection
from ..naming.aws import AwsNames
from .network import cluster_only_security_group

REDIS_PORT = 6379
# ElastiCache AUTH tokens: 16 to 128 printable characters; alphanumeric keeps URLs simple.
AUTH_TOKEN_LENGTH = 48


def broker_url(auth_token: str, host: str) -> str:
    """What Celery connects with: TLS (``rediss``) with certificate checks, the token URL-encoded."""
    return f"rediss://:{quote(auth_token, safe='')}@{host}:{REDIS_PORT}/0?ssl_cert_reqs=required"


class CeleryBroker(pulumi.ComponentResource):
    def __init__(
        self,
        name: str,
        redis: RedisSection,
        network: Network,
        aws_names: AwsNames,
        *,
        sources: Sequence[pulumi.Input[str]],
        kms_key_arn: pulumi.Input[str],
        opts: pulumi.ResourceOptions,
    ):
        super().__init__("airflow-ha:aws:Broker", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        # Failover needs a replica to fail over to; Multi-AZ needs failover.
        failover = redis.num_cache_clusters >= 2

        security_group = cluster_only_security_group(
            f"{name}-sg",
            group_name=aws_names.broker,
            description="Airflow Celery broker: Redis from the EKS cluster only",
            vpc_id=network.vpc_id,
            port=REDIS_PORT,
            sources=sources,
            opts=child,
        )
        subnet_group = aws.elasticache.SubnetGroup(
            f"{name}-subnets",
            name=aws_names.broker,
            description="Airflow Celery broker: private subnets",
            subnet_ids=list(network.subnet_ids),
            opts=child,
        )
        auth_token = random.RandomPassword(f"{name}-auth-token", length=AUTH_TOKEN_LENGTH, special=False, opts=child)
        token = pulumi.Output.secret(auth_token.result)

        self.replication_group = aws.elasticache.ReplicationGroup(
            f"{name}-redis",
            replication_group_id=aws_names.broker,
            description=f"Airflow Celery broker of {aws_names.base}",
            engine="redis",
            engine_version=redis.engine_version,
            node_type=redis.node_type,
            num_cache_clusters=redis.num_cache_clusters,
            automatic_failover_enabled=failover,
            multi_az_enabled=failover and redis.multi_az,
            port=REDIS_PORT,
            subnet_group_name=subnet_group.name,
            security_group_ids=[security_group.id],
            transit_encryption_enabled=True,
            transit_encryption_mode="required",
            at_rest_encryption_enabled=True,
            kms_key_id=kms_key_arn,
            auth_token=token,
            snapshot_retention_limit=redis.snapshot_retention_days,
            auto_minor_version_upgrade=True,
            apply_immediately=False,
            opts=child,
        )

        self.host: pulumi.Output[str] = self.replication_group.primary_endpoint_address
        self.url: pulumi.Output[str] = pulumi.Output.secret(
            pulumi.Output.all(token, self.host).apply(lambda args: broker_url(*args))
        )
        self.security_group_id: pulumi.Output[str] = security_group.id
        self.register_outputs({"host": self.host, "securityGroupId": self.security_group_id})
