"""The Kubernetes API client for a stack: its ``kubernetes.context``, else the kubeconfig's current one.

``KUBECONFIG`` chooses the file, as for kubectl. For an EKS stack the context is whatever
``aws eks update-kubeconfig --name <aws.eksClusterName>`` wrote; the kubeconfig's exec plugin
(``aws eks get-token``) then authenticates with the operator's AWS identity.
"""

from __future__ import annotations

import os
from typing import Any

from .context import Stack


def api_client(stack: Stack) -> Any:
    from kubernetes import config

    return config.new_client_from_config(
        config_file=os.environ.get("KUBECONFIG") or None, context=stack.config.kubernetes.context
    )
