"""The Prometheus Operator objects (ServiceMonitors, a PrometheusRule) and the Grafana dashboard
ConfigMap of one stack. The manifests are pure (``values/monitoring``); this only applies them.

The custom resources need the Prometheus Operator's CRDs in the cluster (kube-prometheus-stack
installs them); without them `pulumi up` fails on these objects and nothing else.
"""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as kubernetes

from ..seams import ClusterConnection
from ..values.monitoring import MonitoringManifests


class AirflowMonitoring(pulumi.ComponentResource):
    def __init__(
        self,
        name: str,
        manifests: MonitoringManifests,
        cluster: ClusterConnection,
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("airflow-ha:kubernetes:Monitoring", name, None, opts)
        k8s = pulumi.ResourceOptions(parent=self, provider=cluster.provider, depends_on=[cluster.namespace])
        for manifest in manifests.custom_resources:
            kubernetes.apiextensions.CustomResource(
                f"{name}-{manifest['metadata']['name']}",
                api_version=manifest["apiVersion"],
                kind=manifest["kind"],
                metadata=manifest["metadata"],
                spec=manifest["spec"],
                opts=k8s,
            )
        dashboard = manifests.dashboard
        self.dashboard = kubernetes.core.v1.ConfigMap(
            f"{name}-dashboard", metadata=dashboard["metadata"], data=dashboard["data"], opts=k8s
        )
        self.register_outputs({"dashboard": self.dashboard.metadata.apply(lambda metadata: metadata.name)})
