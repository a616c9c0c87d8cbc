"""The whole deployment of one stack, as one Pulumi component.

Order matters and is explicit: AWS data stores (AWS tiers only) → the Kubernetes provider and
namespace → the integrations' Secrets (Slack, OpenLineage, secrets backend) → Airflow itself
(stable keys, connection Secrets, the migration Job, the Helm release).
"""

from __future__ import annotations

import pulumi

from .aws import AwsDataPlane
from .config.model import StackConfig
from .integrations.resources import Integrations
from .kubernetes import AirflowOnKubernetes, ClusterAccess
from .naming import Names
from .tuning.derive import derive_tuning


class AirflowPlatform(pulumi.ComponentResource):
    def __init__(self, name: str, cfg: StackConfig, opts: pulumi.ResourceOptions | None = None):
        super().__init__("airflow-ha:index:AirflowPlatform", name, None, opts)
        names = Names(release=cfg.kubernetes.release_name, namespace=cfg.kubernetes.namespace)
        tuning = derive_tuning(cfg)
        child = pulumi.ResourceOptions(parent=self)

        data_plane = AwsDataPlane(f"{name}-aws", cfg, names, opts=child) if cfg.on_aws else None
        cluster = ClusterAccess(f"{name}-cluster", cfg, names, data_plane, opts=child)
        integrations = Integrations(
            f"{name}-integrations", cfg, names, cluster=cluster, data_plane=data_plane, opts=child
        )
        airflow = AirflowOnKubernetes(
            f"{name}-airflow",
            cfg,
            names,
            tuning,
            cluster=cluster,
            data_plane=data_plane,
            integrations=integrations,
            opts=child,
        )

        self.release_name = airflow.release_name
        self.namespace = cluster.namespace_name
        outputs: dict[str, pulumi.Input[object]] = {
            "namespace": cluster.namespace_name,
            "releaseName": airflow.release_name,
        }
        if data_plane is not None:
            outputs |= {
                "databaseEndpoint": data_plane.database_host,
                "logsBucket": data_plane.logs_bucket_name,
                "serviceAccountRoles": data_plane.role_arns,
            }
        self.outputs = outputs
        self.register_outputs(outputs)
