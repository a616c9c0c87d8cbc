"""The whole deployment of one stack, as one Pulumi component.

Order matters and is explicit: AWS data stores (AWS tiers only) → the Kubernetes provider and
namespace → the integrations' Secrets (Slack, OpenLineage, secrets backend) → Airflow itself
(stable keys, connection Secrets, the migration Job, the Helm release). Each part receives its
own arguments (``components/args.py``) and what the parts before it provide (``components/seams.py``).
"""

from __future__ import annotations

import pulumi

from ..args import AwsTier, LocalTier, PlatformArgs
from ..aws import AwsDataPlane, DataStoreAlarms
from ..integrations import Integrations
from ..kubernetes import AirflowMonitoring, AirflowOnKubernetes, ClusterAccess
from ..seams import DataPlaneOutputs


class AirflowPlatform(pulumi.ComponentResource):
    def __init__(self, name: str, args: PlatformArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("airflow-ha:index:AirflowPlatform", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)

        stores: DataPlaneOutputs | LocalTier
        if isinstance(args.tier, AwsTier):
            stores = AwsDataPlane(f"{name}-aws", args.tier.data_plane, opts=child).outputs
        else:
            stores = args.tier
        data_plane = stores if isinstance(stores, DataPlaneOutputs) else None

        cluster = ClusterAccess(
            f"{name}-cluster", args.cluster, data_plane.eks if data_plane is not None else None, opts=child
        ).connection
        integrations = Integrations(
            f"{name}-integrations",
            args.integrations,
            cluster,
            data_plane.secrets_manager if data_plane is not None else None,
            opts=child,
        ).outputs
        airflow = AirflowOnKubernetes(f"{name}-airflow", args.airflow, cluster, stores, integrations, opts=child)
        if args.monitoring is not None:
            AirflowMonitoring(f"{name}-monitoring", args.monitoring, cluster, opts=child)
        alarms = None
        if isinstance(args.tier, AwsTier) and args.tier.alarms is not None and data_plane is not None:
            alarms = DataStoreAlarms(f"{name}-alarms", args.tier.alarms, data_plane.alarm_targets, opts=child)

        outputs: dict[str, pulumi.Input[object]] = {
            "namespace": cluster.namespace_name,
            "releaseName": airflow.release_name,
        }
        if data_plane is not None:
            outputs |= {
                "databaseEndpoint": data_plane.database.host,
                "logsBucket": data_plane.logs_bucket,
                "serviceAccountRoles": data_plane.role_arns,
            }
        if alarms is not None:
            outputs["alarmTopicArn"] = alarms.topic_arn
        self.outputs = outputs
        self.register_outputs(outputs)
