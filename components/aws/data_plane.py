"""The AWS side of one stack: metadata database, Celery broker, task-log bucket, IRSA roles."""

from __future__ import annotations

import pulumi

from ..config.model import StackConfig
from ..naming import LOGS_PREFIX, Names
from .broker import CeleryBroker
from .cluster import lookup_cluster
from .database import MetadataDatabase
from .identifiers import AwsNames
from .irsa import ServiceAccountRoles
from .kms import kit_key, needs_kit_key
from .logs_bucket import LogsBucket
from .provider import aws_provider


class AwsDataPlane(pulumi.ComponentResource):
    """Built for the AWS tiers only; every child uses one explicit AWS provider.

    ``database.protect`` (required in prod) guards everything whose loss loses data: the
    database instance, the kit's KMS key and the logs bucket get ``protect`` and
    ``retainOnDelete``, so neither a config change nor ``pulumi destroy`` drops them.
    """

    def __init__(self, name: str, cfg: StackConfig, names: Names, opts: pulumi.ResourceOptions | None = None):
        if not cfg.on_aws or cfg.aws is None or cfg.database is None or cfg.logs is None:
            raise ValueError(f"stack '{cfg.stack}' (tier '{cfg.tier}') has no AWS data plane")
        if cfg.uses_celery and cfg.redis is None:
            raise ValueError(f"stack '{cfg.stack}' runs Celery but has no redis section")
        super().__init__("airflow-ha:aws:DataPlane", name, None, opts)
        aws_names = AwsNames(cfg)
        protect = cfg.database.protect

        provider = aws_provider(f"{name}-provider", cfg, parent=self)
        child = pulumi.ResourceOptions(parent=self, providers=[provider])
        cluster = lookup_cluster(cfg.aws.eks_cluster_name, parent=self, provider=provider)
        sources = cfg.aws.cluster_security_group_ids or [cluster.security_group_id]

        key = kit_key(f"{name}-key", aws_names, protect=protect, opts=child) if needs_kit_key(cfg) else None
        kit_key_arn = key.arn if key is not None else None

        database = MetadataDatabase(
            f"{name}-database",
            cfg,
            aws_names,
            sources=sources,
            kms_key_arn=cfg.database.kms_key_arn or kit_key_arn,
            partition=cluster.partition,
            opts=child,
        )
        broker = (
            CeleryBroker(
                f"{name}-broker",
                cfg,
                aws_names,
                sources=sources,
                kms_key_arn=cfg.redis.kms_key_arn or kit_key_arn,
                opts=child,
            )
            if cfg.uses_celery
            else None
        )
        logs_key_arn = cfg.logs.kms_key_arn or kit_key_arn
        logs = LogsBucket(
            f"{name}-logs",
            cfg,
            aws_names,
            account_id=cluster.account_id,
            partition=cluster.partition,
            kms_key_arn=logs_key_arn,
            protect=protect,
            opts=child,
        )
        secrets_key_arn = kit_key_arn if cfg.secrets_backend.type == "aws-secrets-manager" else None
        roles = ServiceAccountRoles(
            f"{name}-irsa",
            cfg,
            names,
            aws_names,
            cluster=cluster,
            logs_bucket=logs.bucket_name,
            logs_key_arn=logs_key_arn,
            secrets_key_arn=secrets_key_arn,
            opts=child,
        )

        # For other parts that create AWS resources (the Secrets Manager secrets): same region, same tags.
        self.provider = provider
        self.aws_region: str = cfg.aws.region
        self.cluster_name: str = cluster.name
        self.cluster_endpoint: pulumi.Output[str] = cluster.endpoint
        self.cluster_ca_data: pulumi.Output[str] = cluster.ca_data
        self.database_host: pulumi.Output[str] = database.host
        self.database_port: pulumi.Output[int] = database.port
        self.database_name: str = database.db_name
        self.database_username: str = database.username
        self.database_password: pulumi.Output[str] = database.password
        self.broker_url: pulumi.Output[str] | None = broker.url if broker is not None else None
        self.logs_bucket_name: pulumi.Output[str] = logs.bucket_name
        self.logs_prefix: str = LOGS_PREFIX
        self.role_arns: dict[str, pulumi.Output[str]] = roles.role_arns
        self.kms_key_arn: pulumi.Output[str] | None = kit_key_arn
        # Key of the Secrets Manager secrets the kit writes (Slack connection...); None unless
        # Airflow's secrets backend is Secrets Manager.
        self.secrets_kms_key_arn: pulumi.Output[str] | None = secrets_key_arn

        outputs: dict[str, object] = {
            "databaseHost": self.database_host,
            "databasePort": self.database_port,
            "logsBucket": self.logs_bucket_name,
            "roleArns": self.role_arns,
            "clusterEndpoint": self.cluster_endpoint,
        }
        if self.broker_url is not None:
            outputs["brokerUrl"] = self.broker_url
        self.register_outputs(outputs)
