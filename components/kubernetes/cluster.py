"""The Kubernetes provider every Kubernetes resource of the kit uses, and the namespace."""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_kubernetes as kubernetes

from ..config.model import StackConfig
from ..naming import Names
from .kubeconfig import eks_kubeconfig


class ClusterAccess(pulumi.ComponentResource):
    """An explicit provider, never the ambient default, so a stack cannot deploy to whatever
    cluster the operator's shell happens to point at.

    AWS tiers: a kubeconfig for the stack's EKS cluster (``aws eks get-token``), unless
    ``kubernetes.context`` names a context of the operator's kubeconfig. Local tier: that
    context, or the current one.
    """

    def __init__(
        self,
        name: str,
        cfg: StackConfig,
        names: Names,
        data_plane: Any | None,
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("airflow-ha:kubernetes:ClusterAccess", name, None, opts)
        provider_args: dict[str, Any] = {"context": cfg.kubernetes.context} if cfg.kubernetes.context else {}
        if cfg.on_aws and not cfg.kubernetes.context:
            if data_plane is None:
                raise ValueError("the AWS tiers reach their EKS cluster through the AWS data plane")
            provider_args["kubeconfig"] = pulumi.Output.secret(
                pulumi.Output.all(
                    data_plane.cluster_name,
                    data_plane.cluster_endpoint,
                    data_plane.cluster_ca_data,
                    data_plane.aws_region,
                ).apply(lambda parts: eks_kubeconfig(*parts))
            )
        self.provider = kubernetes.Provider(
            f"{name}-provider", **provider_args, opts=pulumi.ResourceOptions(parent=self)
        )
        self.namespace = kubernetes.core.v1.Namespace(
            f"{name}-namespace",
            metadata={"name": names.namespace, "labels": {"app.kubernetes.io/part-of": "airflow-ha"}},
            opts=pulumi.ResourceOptions(parent=self, provider=self.provider),
        )
        self.namespace_name: pulumi.Output[str] = self.namespace.metadata.apply(lambda metadata: metadata.name)
        self.register_outputs({"namespace": self.namespace_name})
