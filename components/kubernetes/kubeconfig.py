"""The kubeconfig of an EKS cluster, authenticating with ``aws eks get-token`` (pure).

It carries no credential of its own: the exec plugin asks AWS for a short-lived token with the
deployer's AWS identity. The Pulumi layer still passes it as a secret, as a kubeconfig should be.
"""

from __future__ import annotations

import json


def eks_kubeconfig(cluster_name: str, endpoint: str, ca_data: str, region: str) -> str:
    user = f"aws-{cluster_name}"
    return json.dumps(
        {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [
                {"name": cluster_name, "cluster": {"server": endpoint, "certificate-authority-data": ca_data}}
            ],
            "users": [
                {
                    "name": user,
                    "user": {
                        "exec": {
                            "apiVersion": "client.authentication.k8s.io/v1beta1",
                            "command": "aws",
                            "args": [
                                "eks",
                                "get-token",
                                "--cluster-name",
                                cluster_name,
                                "--region",
                                region,
                                "--output",
                                "json",
                            ],
                            "interactiveMode": "Never",
                        }
                    },
                }
            ],
            "contexts": [{"name": cluster_name, "context": {"cluster": cluster_name, "user": user}}],
            "current-context": cluster_name,
        }
    )
