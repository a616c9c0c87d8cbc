"""The Kubernetes provider every Kubernetes resource of the kit uses, and the namespace."""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_kubernetes as kubernetes

from ..args import ClusterArgs
from ..seams import ClusterConnection, EksClusterAccess
from .kubeconfig import eks_kubeconfig


class ClusterAccess(pulumi.ComponentResource):
    """An explicit provider, never the ambient default, so a stack cannot deploy to whatever
    cluster the operator's shell happens to point at.

    With ``args.context``, that context of the operator's kubeconfig. Otherwise, in the AWS tiers
    (``eks`` given), a kubeconfig for the stack's EKS cluster (``aws eks get-token``); in the
    local tier, the current context. What the other components need from it is ``connection``.
    """

    def __init__(
        self,
        name: str,
        args: ClusterArgs,
        eks: EksClusterAccess | None,
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("airflow-ha:kubernetes:ClusterAccess", name, None, opts)
        provider_args: dict[str, Any] = {}
        if args.context:
            provider_args["context"] = args.context
        elif eks is not None:
            provider_args["kubeconfig"] = pulumi.Output.secret(
                pulumi.Output.all(eks.endpoint, eks.ca_data).apply(
                    lambda parts: eks_kubeconfig(eks.name, parts[0], parts[1], eks.region)
                )
            )
        provider = kubernetes.Provider(f"{name}-provider", **provider_args, opts=pulumi.ResourceOptions(parent=self))
        namespace = kubernetes.core.v1.Namespace(
            f"{name}-namespace",
            metadata={
                "name": args.namespace,
                "labels": {"app.kubernetes.io/part-of": "airflow-ha", **args.labels},
            },
            opts=pulumi.ResourceOptions(parent=self, provider=provider),
        )
        self.connection = ClusterConnection(
            provider=provider,
            namespace=namespace,
            namespace_name=namespace.metadata.apply(lambda metadata: metadata.name),
        )
        self.register_outputs({"namespace": self.connection.namespace_name})
