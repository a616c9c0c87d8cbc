"""The AWS side of one stack: metadata database, Celery broker, task-log bucket, IRSA roles."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from ..args import AwsDataPlaneArgs
from ..config.sections.aws import RedisSection
from ..seams import (
    AlarmTargets,
    DataPlaneOutputs,
    EksClusterAccess,
    FernetKeyStore,
    RdsConnection,
    SecretsManagerAccess,
)
from ..values.metadata_retention import CLEANUP_ROLE_KEY
from .amazon_mq import RabbitmqBroker
from .broker import CeleryBroker
from .ca_bundle import rds_ca_bundle
from .cluster import lookup_cluster
from .database import MetadataDatabase
from .event_sources import EventSources
from .irsa import ServiceAccountRoles
from .kms import kit_key
from .logs_bucket import LogsBucket
from .metadata_export import MetadataExportRole
from .network import pods_security_group
from .provider import aws_provider


class AwsDataPlane(pulumi.ComponentResource):
    """Built for the AWS tiers only; every child uses one explicit AWS provider.

    ``database.protect`` (required in prod) guards everything whose loss loses data: the
    database instance, the kit's KMS key and the logs bucket get ``protect`` and
    ``retainOnDelete``, so neither a config change nor ``pulumi destroy`` drops them.
    What the other components need from it is ``outputs``.
    """

    def __init__(self, name: str, args: AwsDataPlaneArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("airflow-ha:aws:DataPlane", name, None, opts)
        aws_names = args.names
        protect = args.protect

        provider = aws_provider(f"{name}-provider", args.region, args.tags, parent=self)
        child = pulumi.ResourceOptions(parent=self, providers=[provider])
        cluster = lookup_cluster(args.eks_cluster_name, parent=self, provider=provider)
        node_groups = list(args.network.source_security_group_ids) or [cluster.security_group_id]
        sources = node_groups
        pods_group = None
        if args.network.security_groups_for_pods:
            pods_group = pods_security_group(
                f"{name}-pods-sg", group_name=aws_names.pods, vpc_id=args.network.vpc_id, opts=child
            )
            sources = [pods_group.id]
            pulumi.log.warn(
                "aws.securityGroupsForPods: RDS and Redis now admit only Airflow's pods. The cluster must run the "
                "VPC CNI with ENABLE_POD_ENI=true, and Airflow's nodes Nitro instance types with trunk ENIs; "
                "otherwise Airflow's pods stay Pending (docs/runbooks/tls-and-pod-security.md).",
                resource=self,
            )

        key = kit_key(f"{name}-key", aws_names, protect=protect, opts=child) if args.kit_key else None
        kit_key_arn = key.arn if key is not None else None

        database_key_arn = args.database.section.kms_key_arn or kit_key_arn
        if database_key_arn is None:
            raise RuntimeError("the database names no KMS key and the kit made none: see args.py kit_key")
        database = MetadataDatabase(
            f"{name}-database",
            args.database,
            args.network,
            aws_names,
            sources=sources,
            kms_key_arn=database_key_arn,
            partition=cluster.partition,
            opts=child,
        )
        broker: CeleryBroker | RabbitmqBroker | None = None
        if isinstance(args.broker, RedisSection):
            broker = CeleryBroker(
                f"{name}-broker",
                args.broker,
                args.network,
                aws_names,
                sources=sources,
                kms_key_arn=args.broker.kms_key_arn or kit_key_arn,
                opts=child,
            )
        elif args.broker is not None:
            broker = RabbitmqBroker(
                f"{name}-broker", args.broker, args.network, aws_names, region=args.region, sources=sources, opts=child
            )
        logs_key_arn = args.logs.kms_key_arn or kit_key_arn
        adopt_bucket = None
        if args.database.section.adopt_retained:
            caller = aws.get_caller_identity(opts=pulumi.InvokeOptions(parent=self, provider=provider))
            adopt_bucket = aws_names.logs_bucket(caller.account_id)
        logs = LogsBucket(
            f"{name}-logs",
            args.logs,
            aws_names,
            account_id=cluster.account_id,
            partition=cluster.partition,
            kms_key_arn=logs_key_arn,
            protect=protect,
            adopt_bucket=adopt_bucket,
            xcom=args.xcom if args.xcom is not None and args.xcom.bucket is None else None,
            opts=child,
        )
        events = (
            EventSources(
                f"{name}-events",
                args.events,
                aws_names,
                account_id=cluster.account_id,
                partition=cluster.partition,
                opts=child,
            )
            if args.events
            else None
        )
        secrets_key_arn = kit_key_arn if args.secrets_in_secrets_manager else None
        roles = ServiceAccountRoles(
            f"{name}-irsa",
            args.irsa,
            aws_names,
            region=args.region,
            cluster=cluster,
            logs_bucket=logs.bucket_name,
            logs_key_arn=logs_key_arn,
            secrets_key_arn=secrets_key_arn,
            event_queue_arns=list(events.queue_arns.values()) if events is not None else [],
            xcom=args.xcom,
            opts=child,
        )

        role_arns = dict(roles.role_arns)
        if args.metadata_export is not None:
            export = MetadataExportRole(
                f"{name}-metadata-export",
                args.metadata_export,
                aws_names,
                region=args.region,
                cluster=cluster,
                logs_bucket=logs.bucket_name,
                logs_key_arn=logs_key_arn,
                opts=child,
            )
            role_arns[CLEANUP_ROLE_KEY] = export.role_arn

        self.outputs = DataPlaneOutputs(
            region=args.region,
            eks=EksClusterAccess(cluster.name, args.region, cluster.endpoint, cluster.ca_data),
            database=RdsConnection(
                database.host,
                database.port,
                database.db_name,
                database.username,
                database.password,
                sslmode=args.database.section.tls.mode,
                ca_bundle=rds_ca_bundle(args.database.ca_bundle, pulumi.InvokeOutputOptions(parent=self))
                if args.database.ca_bundle is not None
                else None,
                application_role=database.application_role,
                keda_role=database.keda_role,
            ),
            broker_url=broker.url if broker is not None else None,
            logs_bucket=logs.bucket_name,
            role_arns=role_arns,
            secrets_manager=SecretsManagerAccess(provider, secrets_key_arn) if secrets_key_arn is not None else None,
            alarm_targets=AlarmTargets(provider, cluster.account_id, cluster.partition),
            # The fernet keys live and die with the data they decrypt: the database's key encrypts them.
            fernet_key_store=FernetKeyStore(
                provider, aws_names.fernet_key_store, database_key_arn, args.database.section.adopt_retained
            ),
            # The pod's groups: its own, then the nodes' (kubelet probes, DNS, the other pods).
            pod_security_groups=(pods_group.id, *node_groups) if pods_group is not None else None,
            event_queue_urls=events.queue_urls if events is not None else {},
        )
        outputs: dict[str, object] = {
            "databaseHost": database.host,
            "databasePort": database.port,
            "logsBucket": logs.bucket_name,
            "roleArns": role_arns,
            "clusterEndpoint": cluster.endpoint,
        }
        if broker is not None:
            outputs["brokerUrl"] = broker.url
        self.register_outputs(outputs)
