"""The narrow, typed arguments of each Pulumi component, built from the validated stack config in
one place (pure).

No component reads ``StackConfig``: each receives only what it builds from, with every section it
needs present by type. Which sections exist is decided here, once: the AWS data plane exists in the
AWS tiers, with a broker when the executor includes Celery; the local tier has in-cluster stores.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import SecretStr

from .config.errors import PROJECT
from .config.model import StackConfig
from .config.registry import SERVICE_ACCOUNT_COMPONENTS, Component
from .config.sections.aws import (
    AwsSection,
    DatabaseRolesSection,
    DatabaseSection,
    LogsSection,
    RabbitmqSection,
    RedisSection,
)
from .config.sections.events import EventSource
from .naming.aws import AwsNames
from .naming.kubernetes import Names
from .tuning.derive import derive_tuning
from .tuning.model import PgbouncerPools, Tuning
from .values.dags import GitBundle, GitSync, dag_delivery
from .values.database_access import rds_ca_bundle_url
from .values.fernet_keys import FernetRotation, fernet_rotation
from .values.integrations import IntegrationSpecs, integration_specs
from .values.jobs import local_admin_job, migration_job
from .values.kit_secrets import KitSecrets, LocalTierSecrets, PgbouncerSecrets, kit_secrets
from .values.metadata_retention import cleanup_service_account
from .values.monitoring import AlarmSpec, MonitoringManifests, alarm_specs, monitoring_manifests
from .values.pod_security import namespace_labels
from .values.release import ReleaseValues
from .values.secrets_backend import SecretsManagerBackend

Manifest = dict[str, Any]
T = TypeVar("T")


@dataclass(frozen=True)
class Network:
    vpc_id: str
    subnet_ids: tuple[str, ...]
    # Security groups admitted to the data stores; empty: the EKS cluster's own security group.
    source_security_group_ids: tuple[str, ...]
    # The data stores admit only a security group of Airflow's pods instead (aws.securityGroupsForPods).
    security_groups_for_pods: bool = False


@dataclass(frozen=True)
class CaBundleSource:
    """Where the RDS CA bundle comes from: ``file`` when the stack names one, else ``url`` at deploy time."""

    url: str
    file: str | None


@dataclass(frozen=True)
class DatabaseArgs:
    section: DatabaseSection
    # The major version when AWS applies minors in place (it then matches any 16.x), else the exact one.
    engine_version: str
    roles: DatabaseRolesSection | None  # least-privilege roles the kit generates passwords for
    ca_bundle: CaBundleSource | None  # with `database.tls.mode: verify-full`


@dataclass(frozen=True)
class IrsaArgs:
    namespace: str
    service_accounts: tuple[tuple[Component, str], ...]  # (component, its service account's name)
    secrets_prefixes: tuple[str, ...]  # Secrets Manager prefixes Airflow reads; empty for other backends
    dag_bundle: tuple[str, str] | None  # (bucket, prefix) of an S3 DAG bundle
    tasks_in_scheduler: bool  # the LocalExecutor: the scheduler runs tasks, and needs what they need


@dataclass(frozen=True)
class MetadataExportArgs:
    """The cleanup CronJob's service account, and the prefix of the logs bucket it writes to."""

    namespace: str
    service_account: str
    prefix: str


@dataclass(frozen=True)
class XComStorageArgs:
    """Where large XComs live: a prefix of the logs bucket (``bucket`` None) or a bucket of your own."""

    bucket: str | None
    prefix: str
    retention_days: int  # the expiry rule on the prefix, in the kit's bucket only


@dataclass(frozen=True)
class AwsDataPlaneArgs:
    region: str
    eks_cluster_name: str
    tags: Mapping[str, str]  # the stack's tags, then the kit's
    network: Network
    names: AwsNames
    database: DatabaseArgs
    broker: RedisSection | RabbitmqSection | None  # by broker.type; None without Celery
    logs: LogsSection
    irsa: IrsaArgs
    metadata_export: MetadataExportArgs | None  # None unless metadataRetention exports
    # `database.protect` guards everything whose loss loses data: instance, kit key, logs bucket.
    protect: bool
    events: tuple[EventSource, ...]  # S3 notifications into SQS, for asset watchers
    xcom: XComStorageArgs | None  # None: XComs stay in the database
    kit_key: bool  # a store names no key of its own, or the secrets live in Secrets Manager
    secrets_in_secrets_manager: bool


@dataclass(frozen=True)
class ClusterArgs:
    namespace: str
    context: str | None  # a kubeconfig context; None: the EKS cluster, or the current context locally
    labels: Mapping[str, str]  # the namespace's: Pod Security Admission (values/pod_security.py)


@dataclass(frozen=True)
class IntegrationsArgs:
    names: Names
    specs: IntegrationSpecs


@dataclass(frozen=True)
class PgbouncerArgs:
    pools: PgbouncerPools
    secrets: PgbouncerSecrets


@dataclass(frozen=True)
class DagsGitCredentials:
    secret_name: str
    token: SecretStr
    repo_url: str
    git_sync: bool  # git-sync reads GITSYNC_* keys; the Git DAG bundle a connection


@dataclass(frozen=True)
class AirflowArgs:
    names: Names
    secrets: KitSecrets
    chart_version: str
    chart_repository: str
    protect_keys: bool  # the fernet keys are guarded like the database
    fernet: FernetRotation
    pgbouncer: PgbouncerArgs | None
    dags_git: DagsGitCredentials | None
    migration_job: Manifest
    values: ReleaseValues


@dataclass(frozen=True)
class SlackChannel:
    workspace_id: str
    channel_id: str


@dataclass(frozen=True)
class AlarmsArgs:
    """CloudWatch alarms on the data stores, and where they notify."""

    names: AwsNames
    tags: Mapping[str, str]
    alarms: tuple[AlarmSpec, ...]
    slack: SlackChannel | None  # AWS Chatbot
    emails: tuple[str, ...]


@dataclass(frozen=True)
class AwsTier:
    data_plane: AwsDataPlaneArgs
    alarms: AlarmsArgs | None = None  # None: `monitoring.cloudwatch.enabled` is false


@dataclass(frozen=True)
class LocalTier:
    secrets: LocalTierSecrets
    admin_job: Manifest


@dataclass(frozen=True)
class PlatformArgs:
    tier: AwsTier | LocalTier
    cluster: ClusterArgs
    integrations: IntegrationsArgs
    airflow: AirflowArgs
    monitoring: MonitoringManifests | None = None  # None: `monitoring.prometheus.enabled` is false


def platform_args(cfg: StackConfig) -> PlatformArgs:
    """Every component's arguments. ``cfg`` must come from ``validated_stack_config``."""
    names = Names(release=cfg.kubernetes.release_name, namespace=cfg.kubernetes.namespace)
    tuning = derive_tuning(cfg)
    secrets = kit_secrets(cfg, names)
    tier: AwsTier | LocalTier
    if cfg.on_aws:
        data_plane = _data_plane_args(cfg, names)
        tier = AwsTier(data_plane, _alarms_args(cfg, data_plane))
    else:
        local = _validated(secrets.local, "the local tier's Secrets")
        tier = LocalTier(local, local_admin_job(cfg, names, secrets, local))
    return PlatformArgs(
        tier=tier,
        cluster=ClusterArgs(namespace=names.namespace, context=cfg.kubernetes.context, labels=namespace_labels(cfg)),
        integrations=IntegrationsArgs(names, integration_specs(cfg)),
        airflow=_airflow_args(cfg, names, tuning, secrets),
        monitoring=monitoring_manifests(cfg, names, tuning) if cfg.monitoring.prometheus.enabled else None,
    )


def _alarms_args(cfg: StackConfig, data_plane: AwsDataPlaneArgs) -> AlarmsArgs | None:
    cloudwatch = cfg.monitoring.cloudwatch
    if cloudwatch is None or not cloudwatch.enabled:
        return None
    slack = None
    if cloudwatch.slack_workspace_id is not None and cloudwatch.slack_channel_id is not None:
        slack = SlackChannel(cloudwatch.slack_workspace_id, cloudwatch.slack_channel_id)
    return AlarmsArgs(
        names=data_plane.names,
        tags=data_plane.tags,
        alarms=alarm_specs(cfg, data_plane.names, cloudwatch),
        slack=slack,
        emails=tuple(cloudwatch.emails),
    )


def kit_tags(cfg: StackConfig) -> dict[str, str]:
    """The stack's own tags, then the kit's (which a stack cannot override)."""
    own = cfg.aws.tags if cfg.aws is not None else {}
    return {
        **own,
        f"{PROJECT}:stack": cfg.stack,
        f"{PROJECT}:tier": cfg.tier,
        f"{PROJECT}:release": cfg.kubernetes.release_name,
        "managed-by": "pulumi",
    }


def _data_plane_args(cfg: StackConfig, names: Names) -> AwsDataPlaneArgs:
    aws: AwsSection = _validated(cfg.aws, "aws")
    database: DatabaseSection = _validated(cfg.database, "database")
    logs: LogsSection = _validated(cfg.logs, "logs")
    broker: RedisSection | RabbitmqSection | None = None
    if cfg.uses_redis:
        broker = _validated(cfg.redis, "redis")
    elif cfg.uses_rabbitmq:
        broker = _validated(cfg.rabbitmq, "rabbitmq")
    backend = integration_specs(cfg).backend
    in_secrets_manager = isinstance(backend, SecretsManagerBackend)
    # Amazon MQ encrypts RabbitMQ with an AWS-owned key: only Redis may want the kit's.
    redis_key = [broker.kms_key_arn] if isinstance(broker, RedisSection) else []
    keys_of_their_own = [database.kms_key_arn, logs.kms_key_arn, *redis_key]
    return AwsDataPlaneArgs(
        region=aws.region,
        eks_cluster_name=aws.eks_cluster_name,
        tags=kit_tags(cfg),
        network=Network(
            aws.vpc_id,
            tuple(aws.private_subnet_ids),
            tuple(aws.cluster_security_group_ids or ()),
            security_groups_for_pods=aws.security_groups_for_pods,
        ),
        names=AwsNames(cfg.kubernetes.release_name, cfg.stack, database.engine_version.split(".")[0]),
        database=DatabaseArgs(
            section=database,
            engine_version=database.engine_version.split(".")[0]
            if database.auto_minor_version_upgrade
            else database.engine_version,
            roles=database.roles if database.roles.enabled else None,
            ca_bundle=CaBundleSource(rds_ca_bundle_url(aws.region), database.tls.ca_bundle_file)
            if database.tls.mode == "verify-full"
            else None,
        ),
        broker=broker,
        logs=logs,
        irsa=IrsaArgs(
            namespace=names.namespace,
            service_accounts=tuple((c, names.service_account(c)) for c in SERVICE_ACCOUNT_COMPONENTS),
            secrets_prefixes=backend.paths.all() if isinstance(backend, SecretsManagerBackend) else (),
            dag_bundle=(cfg.dags.s3.bucket, cfg.dags.s3.prefix)
            if cfg.dags.source == "s3-bundle" and cfg.dags.s3 is not None
            else None,
            tasks_in_scheduler=cfg.uses_local_executor,
        ),
        metadata_export=MetadataExportArgs(
            names.namespace, cleanup_service_account(names), cfg.metadata_retention.export.prefix
        )
        if cfg.metadata_retention.enabled and cfg.metadata_retention.export.enabled
        else None,
        protect=database.protect,
        events=tuple(cfg.events.sources),
        xcom=_xcom_storage(cfg),
        kit_key=any(key is None for key in keys_of_their_own) or in_secrets_manager,
        secrets_in_secrets_manager=in_secrets_manager,
    )


def _xcom_storage(cfg: StackConfig) -> XComStorageArgs | None:
    storage = cfg.xcom.object_storage
    if not storage.enabled:
        return None
    return XComStorageArgs(bucket=storage.bucket, prefix=storage.prefix, retention_days=storage.retention_days)


def _airflow_args(cfg: StackConfig, names: Names, tuning: Tuning, secrets: KitSecrets) -> AirflowArgs:
    pgbouncer = None
    if tuning.pgbouncer is not None and secrets.pgbouncer is not None:
        pgbouncer = PgbouncerArgs(tuning.pgbouncer, secrets.pgbouncer)
    return AirflowArgs(
        names=names,
        secrets=secrets,
        chart_version=cfg.airflow.chart_version,
        chart_repository=cfg.airflow.chart_repository,
        protect_keys=cfg.database is not None and cfg.database.protect,
        fernet=fernet_rotation(cfg),
        pgbouncer=pgbouncer,
        dags_git=_dags_git(cfg, secrets),
        migration_job=migration_job(cfg, names, secrets, tuning.default_pool_task_slot_count),
        values=ReleaseValues(cfg, names, tuning),
    )


def _dags_git(cfg: StackConfig, secrets: KitSecrets) -> DagsGitCredentials | None:
    token = cfg.secrets.dags_git_token
    if secrets.dags_git is None or token is None:
        return None
    match dag_delivery(cfg):
        case GitBundle(git=git):
            return DagsGitCredentials(secrets.dags_git, token, git.url, git_sync=False)
        case GitSync(git=git):
            return DagsGitCredentials(secrets.dags_git, token, git.url, git_sync=True)
    return None


def _validated(value: T | None, what: str) -> T:
    """The one place a section the validated config guarantees is narrowed to present."""
    if value is None:
        raise RuntimeError(f"{what} is missing: build component arguments from validated_stack_config()")
    return value
