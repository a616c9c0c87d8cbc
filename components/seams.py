"""What the Pulumi components hand each other: frozen, typed, and nothing more than is needed.

The AWS data plane provides the cluster's access details, the database's connection, the broker
URL, the logs bucket and the IRSA roles; the cluster access provides the Kubernetes provider and
namespace; the integrations provide what the Helm release must wait for. Each consumer declares
exactly which of these it takes, so a component can be built and tested alone with stand-ins
of the same types.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as kubernetes


@dataclass(frozen=True)
class EksClusterAccess:
    """How the Kubernetes provider reaches the stack's EKS cluster (``aws eks get-token``)."""

    name: str
    region: str
    endpoint: pulumi.Output[str]
    ca_data: pulumi.Output[str]


@dataclass(frozen=True)
class DatabaseRole:
    name: str
    password: pulumi.Output[str]  # a Pulumi secret


@dataclass(frozen=True)
class RdsConnection:
    host: pulumi.Output[str]
    port: pulumi.Output[int]
    db_name: str
    username: str  # the master user
    password: pulumi.Output[str]  # a Pulumi secret
    sslmode: str  # "verify-full" or "require"
    ca_bundle: pulumi.Output[str] | None  # the RDS CA bundle (PEM), with verify-full
    # With `database.roles`: whom Airflow and PgBouncer connect as, and KEDA's read-only role.
    application_role: DatabaseRole | None = None
    keda_role: DatabaseRole | None = None


@dataclass(frozen=True)
class SecretsManagerAccess:
    """Where the kit writes the connections it seeds when Airflow reads Secrets Manager: the data
    plane's provider (same account, region and tags) and the key that encrypts the secrets."""

    provider: aws.Provider
    kms_key_arn: pulumi.Output[str]


@dataclass(frozen=True)
class AlarmTargets:
    """What the CloudWatch alarms take from the data plane: its provider (same account, region and
    tags), and the account and partition their topic's key policy names."""

    provider: aws.Provider
    account_id: pulumi.Output[str]
    partition: pulumi.Output[str]


@dataclass(frozen=True)
class FernetKeyStore:
    """Where the AWS tiers keep every fernet key outside the cluster: a Secrets Manager secret that
    survives a teardown keeping the database, encrypted with the database's KMS key, and adopted
    with the database (``adopt``: ``database.adoptRetained``). See values/fernet_keys.py."""

    provider: aws.Provider
    secret_name: str
    kms_key_arn: pulumi.Input[str]
    adopt: bool


@dataclass(frozen=True)
class DataPlaneOutputs:
    region: str
    eks: EksClusterAccess
    database: RdsConnection
    broker_url: pulumi.Output[str] | None  # a Pulumi secret; None without Celery
    logs_bucket: pulumi.Output[str]
    role_arns: Mapping[str, pulumi.Output[str]]  # chart component key → IRSA role ARN
    secrets_manager: SecretsManagerAccess | None  # None unless Airflow's backend is Secrets Manager
    alarm_targets: AlarmTargets
    fernet_key_store: FernetKeyStore
    # aws.securityGroupsForPods: the groups of Airflow's pods, the kit's own first; None when off.
    pod_security_groups: tuple[pulumi.Output[str], ...] | None = None
    event_queue_urls: Mapping[str, pulumi.Output[str]] = field(default_factory=dict)  # event source → queue URL


@dataclass(frozen=True)
class KitSecret:
    """A Kubernetes Secret the kit created, and what it holds: pods that read it roll when it changes."""

    purpose: str  # `names.secret(purpose)` is its name; see values/rollout.py
    resource: kubernetes.core.v1.Secret
    data: Mapping[str, pulumi.Input[str]]


@dataclass(frozen=True)
class ClusterConnection:
    provider: kubernetes.Provider
    namespace: kubernetes.core.v1.Namespace
    namespace_name: pulumi.Output[str]


@dataclass(frozen=True)
class IntegrationsOutputs:
    release_dependencies: tuple[pulumi.Resource, ...]  # what the Helm release must wait for
    secrets: tuple[KitSecret, ...]  # the Secrets Airflow's pods read, for the rollout checksum
