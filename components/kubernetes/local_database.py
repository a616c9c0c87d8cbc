"""The local tier's in-cluster PostgreSQL. For trying the kit only: one pod, no backups.

It is the kit's own small StatefulSet rather than the chart's PostgreSQL subchart because the
migration Job runs *before* the Helm release (see ``airflow.py``): a database that the release
itself installs would not exist yet when the Job needs it.
"""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as kubernetes

from ..naming.kubernetes import Names
from ..values.database import DatabaseEndpoint
from ..values.kit_secrets import POSTGRES_PASSWORD

IMAGE = "postgres:16.6"
PORT = 5432
USER = "postgres"
DATABASE = "postgres"
POSTGRES_UID = 999  # the postgres user of the official image


class LocalPostgres(pulumi.ComponentResource):
    def __init__(
        self,
        name: str,
        names: Names,
        password_secret: kubernetes.core.v1.Secret,
        password: pulumi.Output[str],
        opts: pulumi.ResourceOptions,
    ):
        super().__init__("airflow-ha:kubernetes:LocalPostgres", name, None, opts)
        service_name = f"{names.release}-postgresql"
        labels = {"app.kubernetes.io/name": "postgresql", "app.kubernetes.io/instance": names.release}
        # A component's dependsOn does not hold back its children: they wait for the namespace themselves.
        child = pulumi.ResourceOptions(parent=self, depends_on=opts.depends_on)
        self.service = kubernetes.core.v1.Service(
            f"{name}-service",
            metadata={"name": service_name, "namespace": names.namespace, "labels": labels},
            spec={"selector": labels, "ports": [{"name": "postgresql", "port": PORT, "targetPort": PORT}]},
            opts=child,
        )
        self.stateful_set = kubernetes.apps.v1.StatefulSet(
            f"{name}-statefulset",
            metadata={"name": service_name, "namespace": names.namespace, "labels": labels},
            spec={
                "serviceName": service_name,
                "replicas": 1,
                "selector": {"matchLabels": labels},
                "template": {
                    "metadata": {"labels": labels},
                    "spec": {
                        "automountServiceAccountToken": False,
                        "securityContext": {
                            "runAsNonRoot": True,
                            "runAsUser": POSTGRES_UID,
                            "runAsGroup": POSTGRES_UID,
                            "fsGroup": POSTGRES_UID,
                            "seccompProfile": {"type": "RuntimeDefault"},
                        },
                        "containers": [
                            {
                                "name": "postgresql",
                                "image": IMAGE,
                                "ports": [{"name": "postgresql", "containerPort": PORT}],
                                "env": [
                                    {
                                        "name": "POSTGRES_PASSWORD",
                                        "valueFrom": {
                                            "secretKeyRef": {
                                                "name": password_secret.metadata.name,
                                                "key": POSTGRES_PASSWORD,
                                            }
                                        },
                                    },
                                    {"name": "PGDATA", "value": "/var/lib/postgresql/data/pgdata"},
                                ],
                                "readinessProbe": {"exec": {"command": ["pg_isready", "-U", USER]}, "periodSeconds": 5},
                                "volumeMounts": [{"name": "data", "mountPath": "/var/lib/postgresql/data"}],
                                "securityContext": {
                                    "runAsNonRoot": True,
                                    "allowPrivilegeEscalation": False,
                                    "capabilities": {"drop": ["ALL"]},
                                },
                            }
                        ],
                    },
                },
                "volumeClaimTemplates": [
                    {
                        "metadata": {"name": "data"},
                        "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "2Gi"}}},
                    }
                ],
            },
            opts=pulumi.ResourceOptions(parent=self, depends_on=[password_secret]),
        )
        self.endpoint: pulumi.Output[DatabaseEndpoint] = password.apply(
            lambda secret: DatabaseEndpoint(
                host=f"{service_name}.{names.namespace}.svc.cluster.local",
                port=PORT,
                name=DATABASE,
                user=USER,
                password=secret,
                sslmode="disable",
            )
        )
        self.register_outputs({"service": self.service.metadata.apply(lambda metadata: metadata.name)})
