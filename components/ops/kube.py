"""The Kubernetes API client for a stack, with the stack's kubeconfig context.

``KUBECONFIG`` chooses the file, as for kubectl. The context is ``kubernetes.context`` when the
stack names one. Otherwise, for an EKS stack, it is the context of ``aws.eksClusterName`` as
``aws eks update-kubeconfig`` writes it (named after the cluster or its ARN), never simply the
current one: a command must not read or change another cluster because the operator's shell
last pointed there. The local tier uses the current context.
"""

from __future__ import annotations

import os
from typing import Any

from .context import Stack
from .errors import Exit, OpsError


def api_client(stack: Stack) -> Any:
    from kubernetes import config

    path = os.environ.get("KUBECONFIG") or None
    context = stack.config.kubernetes.context
    if context is None and stack.config.aws is not None:
        context = _eks_context(path, stack.config.aws.eks_cluster_name, stack.config.aws.region)
    return config.new_client_from_config(config_file=path, context=context)


def _eks_context(path: str | None, cluster: str, region: str) -> str:
    from kubernetes import config

    contexts, current = config.list_kube_config_contexts(config_file=path)

    def names_cluster(entry: dict[str, Any]) -> bool:
        candidates = (entry["name"], entry.get("context", {}).get("cluster", ""))
        return any(name == cluster or name.endswith(f":cluster/{cluster}") for name in candidates)

    matching = [entry for entry in contexts if names_cluster(entry)]
    if current in matching:
        return str(current["name"])
    if matching:
        return str(matching[0]["name"])
    raise OpsError(
        f"no kubeconfig context for the EKS cluster {cluster} (current context: {current['name']})",
        f"aws eks update-kubeconfig --name {cluster} --region {region}, or set airflow-ha:kubernetes.context",
        Exit.ENVIRONMENT,
    )
