"""The typed model of one stack's config: the single source of truth every component reads.

Keys are camelCase in the stack file (``airflow-ha:scheduler.replicas``), as Pulumi config
usually is; Python code reads snake_case attributes. Every model forbids unknown keys, so a
typo is an error, not a silently ignored setting. Defaults that depend on the environment
tier live in ``tiers.py``; the defaults here are the ones every tier shares. Each field's
``description`` is what ``docs/configuration.md`` prints for it.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Annotated, Any, Literal, Union

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SecretStr,
    field_validator,
)
from pydantic.alias_generators import to_camel

from .quantities import cpu_cores, memory_bytes

Tier = Literal["local", "dev", "staging", "prod"]
TIERS: tuple[str, ...] = ("local", "dev", "staging", "prod")
AWS_TIERS: tuple[str, ...] = ("dev", "staging", "prod")

CELERY = "CeleryExecutor"
KUBERNETES = "KubernetesExecutor"
EXECUTORS: tuple[str, ...] = (CELERY, KUBERNETES, f"{CELERY},{KUBERNETES}")

# Executors people ask for that Airflow 3 does not offer (or that do not fit a kit for HA
# deployments), with the reason given back to them.
_REJECTED_EXECUTORS = {
    "DaskExecutor": "Airflow 3 has no maintained Dask executor (the Dask provider was removed)",
    "SequentialExecutor": "Airflow 3 removed the SequentialExecutor",
    "LocalExecutor": "the LocalExecutor runs tasks inside the scheduler and cannot be made highly available",
    "CeleryKubernetesExecutor": "Airflow 3 replaced CeleryKubernetesExecutor with the multi-executor form",
    "LocalKubernetesExecutor": "Airflow 3 replaced LocalKubernetesExecutor with the multi-executor form",
}


def _executor(value: Any) -> str:
    names = [part.strip() for part in str(value).split(",") if part.strip()]
    normalised = ",".join(names)
    if normalised in EXECUTORS:
        return normalised
    allowed = ", ".join(f"'{e}'" for e in EXECUTORS)
    for name in names:
        if name in _REJECTED_EXECUTORS:
            raise ValueError(f"'{name}' is not supported: {_REJECTED_EXECUTORS[name]}. Use one of {allowed}")
    raise ValueError(f"'{value}' is not a supported executor. Use one of {allowed}")


def _quantity_string(value: Any) -> Any:
    return str(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else value


def _check_cpu(value: str) -> str:
    cpu_cores(value)
    return value


def _check_memory(value: str) -> str:
    memory_bytes(value)
    return value


CpuQuantity = Annotated[str, BeforeValidator(_quantity_string), AfterValidator(_check_cpu)]
MemoryQuantity = Annotated[str, BeforeValidator(_quantity_string), AfterValidator(_check_memory)]
Executor = Annotated[str, BeforeValidator(_executor)]
PositiveInt = Annotated[int, Field(ge=1)]

_ARN = re.compile(r"^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:\d{12}:.+$")


def _check_arn(value: str | None) -> str | None:
    if value is not None and not _ARN.match(value):
        raise ValueError(f"'{value}' is not an AWS ARN (arn:aws:<service>:<region>:<account>:<resource>)")
    return value


Arn = Annotated[str | None, AfterValidator(_check_arn)]


class KitModel(BaseModel):
    """Shared model settings: camelCase keys, unknown keys rejected, values immutable."""

    model_config = ConfigDict(
        extra="forbid",
        alias_generator=to_camel,
        populate_by_name=True,
        frozen=True,
        validate_default=True,
    )


# --- Kubernetes-shaped building blocks -------------------------------------------------------


class ResourceAmounts(KitModel):
    cpu: CpuQuantity = Field(description="CPU, as a Kubernetes quantity (`500m`, `2`).")
    memory: MemoryQuantity = Field(description="Memory, as a Kubernetes quantity (`512Mi`, `4Gi`).")


class Resources(KitModel):
    """Requests and limits, with the chart's own names."""

    requests: ResourceAmounts = Field(description="What the scheduler reserves for the pod.")
    limits: ResourceAmounts | None = Field(
        default=None, description="Hard ceiling; omit for no limit (not recommended in prod)."
    )


class Toleration(KitModel):
    key: str | None = None
    operator: Literal["Equal", "Exists"] = "Equal"
    value: str | None = None
    effect: Literal["NoSchedule", "PreferNoSchedule", "NoExecute"] | None = None


class ComponentSpec(KitModel):
    replicas: PositiveInt = Field(description="Pods of this component. The prod tier requires at least 2.")
    resources: Resources = Field(description="Requests and limits of each pod.")


# --- Sections ----------------------------------------------------------------------------------


class AwsSection(KitModel):
    region: str = Field(description="AWS region of the VPC and EKS cluster.", pattern=r"^[a-z]{2}(-[a-z]+)+-\d$")
    vpc_id: str = Field(description="Existing VPC the data stores go into.", pattern=r"^vpc-[0-9a-f]+$")
    private_subnet_ids: list[Annotated[str, Field(pattern=r"^subnet-[0-9a-f]+$")]] = Field(
        description="Private subnets (one per AZ) for RDS and ElastiCache. Staging and prod need two or more.",
        min_length=1,
    )
    eks_cluster_name: str = Field(description="Existing EKS cluster Airflow runs on.", min_length=1)
    cluster_security_group_ids: list[Annotated[str, Field(pattern=r"^sg-[0-9a-f]+$")]] | None = Field(
        default=None,
        description="Security groups admitted to RDS and Redis. Default: the EKS cluster security group.",
    )
    tags: dict[str, str] = Field(default_factory=dict, description="Extra tags on every AWS resource.")


def _check_cidr(value: str) -> str:
    try:
        ipaddress.ip_network(value)
    except ValueError:
        raise ValueError(f"'{value}' is not a CIDR block (example: 10.0.0.0/16)") from None
    return value


class IngressSection(KitModel):
    enabled: bool = Field(description="Create an Ingress for the api-server (UI and REST API).")
    class_name: str = Field(default="nginx", description="IngressClass of the controller.")
    host: str | None = Field(default=None, description="Host name of the Airflow UI.")
    controller_namespace: str = Field(
        default="ingress-nginx",
        description="Namespace of the ingress controller; the api-server's network policy admits it.",
    )
    source_cidrs: list[Annotated[str, AfterValidator(_check_cidr)]] = Field(
        default_factory=list,
        description="CIDRs the api-server's network policy also admits: load balancers that send traffic "
        "straight to pod IPs (AWS Load Balancer Controller with target-type ip) need the VPC's CIDR here.",
    )


class KubernetesSection(KitModel):
    namespace: str = Field(default="airflow", description="Namespace Airflow is installed in (created by the kit).")
    release_name: str = Field(
        default="airflow",
        description="Helm release name. Pinned: service-account names and IRSA trust depend on it.",
        pattern=r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$",
        max_length=40,
    )
    context: str | None = Field(
        default=None,
        description="kubeconfig context to deploy to. Default: the EKS cluster (AWS tiers) or the current context.",
    )
    network_policies: bool = Field(description="Install the chart's NetworkPolicies plus the kit's allow rules.")
    monitoring_namespace: str | None = Field(
        default=None,
        description="Namespace of your Prometheus; the network policies admit it to PgBouncer's and StatsD's metrics.",
    )
    ingress: IngressSection


class ImageSection(KitModel):
    repository: str = Field(
        default="apache/airflow", description="Airflow image repository (your own image with your providers)."
    )
    tag: str | None = Field(
        default=None, description="Pinned image tag. Default: `airflow.version`. `latest` is refused."
    )
    pull_policy: Literal["IfNotPresent", "Always", "Never"] = Field(
        default="IfNotPresent", description="Image pull policy."
    )
    pull_secrets: list[str] = Field(default_factory=list, description="Names of existing image pull Secrets.")

    @field_validator("tag")
    @classmethod
    def _pinned(cls, tag: str | None) -> str | None:
        if tag is not None and (tag == "latest" or tag.endswith("-latest") or not tag.strip()):
            raise ValueError(f"'{tag}' is not a pinned tag; name an exact version such as 3.2.2 or your build's tag")
        return tag


ConfigScalar = Union[str, int, float, bool]


class AirflowSection(KitModel):
    version: str = Field(
        default="3.2.2",
        description="Airflow version deployed; a change runs the migration once.",
        pattern=r"^3\.\d+\.\d+$",
    )
    chart_version: str = Field(
        default="1.22.0", description="Official Apache Airflow Helm chart version.", pattern=r"^\d+\.\d+\.\d+$"
    )
    chart_repository: str = Field(default="https://airflow.apache.org", description="Helm repository of the chart.")
    image: ImageSection = Field(default_factory=ImageSection)
    config: dict[str, dict[str, ConfigScalar]] = Field(
        default_factory=dict,
        description="Extra Airflow config, `{section: {key: value}}`, applied after the kit's own settings.",
    )


class SchedulerSection(ComponentSpec):
    pass


class ApiServerSection(ComponentSpec):
    workers: PositiveInt = Field(
        default=2, description="Uvicorn worker processes per api-server pod (`[api] workers`)."
    )


class TriggererSection(ComponentSpec):
    capacity: PositiveInt = Field(
        default=1000, description="Triggers one triggerer runs at once (`[triggerer] capacity`)."
    )


class DagProcessorSection(ComponentSpec):
    parsing_processes: PositiveInt | None = Field(
        default=None, description="`[dag_processor] parsing_processes`. Default: derived from the pod's CPU."
    )


class PgbouncerSection(KitModel):
    enabled: bool = Field(description="Pool metadata-DB connections through PgBouncer.")
    replicas: PositiveInt = Field(description="PgBouncer pods. The prod tier requires at least 2.")
    resources: Resources
    max_client_conn: PositiveInt | None = Field(
        default=None, description="PgBouncer `max_client_conn`. Default: derived."
    )
    metadata_pool_size: PositiveInt | None = Field(
        default=None, description="Server connections per PgBouncer pod for the metadata DB. Default: derived."
    )
    result_backend_pool_size: PositiveInt | None = Field(
        default=None,
        description="Server connections per PgBouncer pod for the Celery result backend. Default: derived.",
    )


class CeleryWorkersSection(KitModel):
    resources: Resources = Field(description="Size of one Celery worker pod.")
    concurrency: PositiveInt | None = Field(
        default=None, description="`[celery] worker_concurrency`. Default: derived from worker and task size."
    )
    min_replicas: Annotated[int, Field(ge=0)] | None = Field(
        default=None, description="KEDA minimum workers. Default: derived."
    )
    max_replicas: PositiveInt | None = Field(
        default=None, description="KEDA maximum workers. Default: derived from the peak."
    )
    keda: bool = Field(description="Autoscale workers with KEDA (needs KEDA in the cluster).")


class CelerySection(KitModel):
    workers: CeleryWorkersSection


class KubernetesExecutorSection(KitModel):
    node_selector: dict[str, str] = Field(default_factory=dict, description="Node selector of task pods.")
    tolerations: list[Toleration] = Field(default_factory=list, description="Tolerations of task pods.")
    max_task_pods: PositiveInt | None = Field(
        default=None,
        description="Task pods the cluster can hold at once (the KubernetesExecutor's slot budget). Default: the peak.",
    )
    worker_pods_creation_batch_size: PositiveInt | None = Field(
        default=None, description="`[kubernetes_executor] worker_pods_creation_batch_size`. Default: derived."
    )


class WorkloadSection(KitModel):
    peak_running_tasks: PositiveInt = Field(description="Most tasks running at once across the deployment.")
    max_active_runs_per_dag: PositiveInt = Field(
        description="`[core] max_active_runs_per_dag`: DAG default for concurrent runs."
    )
    max_active_tasks_per_dag: PositiveInt = Field(
        description="`[core] max_active_tasks_per_dag`: DAG default for concurrent tasks."
    )
    task_resources: Resources = Field(description="Size of one task (a Celery slot, or a KubernetesExecutor pod).")


class TuningSection(KitModel):
    """Explicit overrides of derived settings; each is checked like the derived value."""

    parallelism: PositiveInt | None = Field(
        default=None, description="`[core] parallelism` (per scheduler). Default: derived."
    )
    default_pool_task_slot_count: PositiveInt | None = Field(
        default=None,
        description="`[core] default_pool_task_slot_count`. Default: derived (Airflow's 128 caps silently).",
    )
    sql_alchemy_pool_size: Annotated[int, Field(ge=0)] | None = Field(
        default=None, description="`[database] sql_alchemy_pool_size`. Default: derived."
    )
    sql_alchemy_max_overflow: Annotated[int, Field(ge=0)] | None = Field(
        default=None, description="`[database] sql_alchemy_max_overflow`. Default: derived."
    )


class DatabaseSection(KitModel):
    instance_class: str = Field(
        description="RDS instance class; it sets `max_connections`.", pattern=r"^db\.[a-z0-9]+\.[a-z0-9]+$"
    )
    engine_version: str = Field(
        default="16",
        description="PostgreSQL major version (AWS applies minor upgrades in place).",
        pattern=r"^\d+(\.\d+)?$",
    )
    allocated_storage_gb: Annotated[int, Field(ge=20, le=65536)] = Field(description="Initial storage in GiB.")
    max_allocated_storage_gb: Annotated[int, Field(ge=20, le=65536)] = Field(
        description="Storage autoscaling ceiling in GiB."
    )
    multi_az: bool = Field(description="Standby in a second AZ. Required in prod.")
    backup_retention_days: Annotated[int, Field(ge=0, le=35)] = Field(
        description="Automated backup retention. Prod requires at least 7."
    )
    deletion_protection: bool = Field(description="RDS deletion protection. Required in prod.")
    protect: bool = Field(description="Pulumi `protect` and `retainOnDelete` on the instance. Required in prod.")
    performance_insights: bool = Field(description="Performance Insights.")
    monitoring_interval_seconds: Literal[0, 1, 5, 10, 15, 30, 60] = Field(
        description="Enhanced monitoring interval; 0 turns it off."
    )
    kms_key_arn: Arn = Field(default=None, description="KMS key for storage. Default: a key the kit creates.")
    extended_support: bool = Field(
        default=False, description="Allow RDS Extended Support (charged) past end of standard support."
    )
    auto_minor_version_upgrade: bool = Field(
        default=True, description="Let AWS apply minor versions in maintenance windows."
    )
    db_name: str = Field(default="airflow", description="Database name.", pattern=r"^[a-zA-Z][a-zA-Z0-9_]{0,62}$")
    username: str = Field(default="airflow", description="Master user name.", pattern=r"^[a-zA-Z][a-zA-Z0-9_]{0,15}$")
    max_connections: PositiveInt | None = Field(
        default=None,
        description="Override when your parameter group sets `max_connections`. Default: RDS's formula for the class.",
    )


class RedisSection(KitModel):
    node_type: str = Field(description="ElastiCache node type.", pattern=r"^cache\.[a-z0-9]+\.[a-z0-9]+$")
    engine_version: str = Field(default="7.1", description="Redis OSS engine version.")
    num_cache_clusters: Annotated[int, Field(ge=1, le=6)] = Field(
        description="Nodes in the replication group. Prod requires at least 2."
    )
    multi_az: bool = Field(description="Spread nodes across AZs with automatic failover. Required in prod.")
    snapshot_retention_days: Annotated[int, Field(ge=0, le=35)] = Field(description="Daily snapshot retention.")
    kms_key_arn: Arn = Field(
        default=None, description="KMS key for at-rest encryption. Default: a key the kit creates."
    )


class LogsSection(KitModel):
    retention_days: PositiveInt = Field(description="Task logs older than this expire from the S3 bucket.")
    kms_key_arn: Arn = Field(default=None, description="KMS key for the bucket. Default: a key the kit creates.")


class SecretsBackendSection(KitModel):
    type: Literal["none", "aws-secrets-manager", "vault"] = Field(
        description="Where Airflow looks up connections and variables; `none` means Kubernetes Secrets only."
    )
    connections_prefix: str = Field(description="Prefix (Secrets Manager) or path (Vault) of connections.")
    variables_prefix: str = Field(description="Prefix or path of variables.")
    config_prefix: str = Field(description="Prefix or path of Airflow config values.")
    cache_ttl_seconds: Annotated[int, Field(ge=0)] = Field(
        description="`[secrets] cache_ttl_seconds`; 0 turns the lookup cache off."
    )


class VaultSection(KitModel):
    manage: bool = Field(
        default=False, description="Create the Vault policy and Kubernetes auth role with pulumi-vault."
    )
    auth_mount_path: str = Field(default="kubernetes", description="Mount path of Vault's Kubernetes auth method.")
    role: str = Field(description="Vault Kubernetes auth role Airflow logs in with.")
    kv_mount_point: str = Field(default="airflow", description="Mount point of the KV secrets engine.")
    kv_engine_version: Literal[1, 2] = Field(default=2, description="KV engine version.")


class SlackSection(KitModel):
    enabled: bool = Field(description="Post task failures to Slack (needs the secret `slackWebhookUrl`).")
    conn_id: str = Field(
        default="slack_alerts", description="Airflow connection id of the Slack webhook.", pattern=r"^[a-z0-9_]+$"
    )
    notify_on_task_failure: bool = Field(
        default=True, description="Cluster policy: every task without its own `on_failure_callback` notifies Slack."
    )


class OpenLineageSection(KitModel):
    enabled: bool = Field(description="Emit OpenLineage events.")
    url: str | None = Field(
        default=None, description="Base URL of a Marquez-compatible lineage API.", pattern=r"^https?://"
    )
    endpoint: str = Field(default="api/v1/lineage", description="Path of the lineage endpoint.")
    namespace: str = Field(description="OpenLineage namespace. Default: the stack name.")


class GitSource(KitModel):
    url: str = Field(description="Git repository of the DAGs (https).")
    ref: str = Field(default="main", description="Branch or tag to deploy.")
    subdir: str | None = Field(default=None, description="Folder of the DAGs inside the repository.")


class S3Source(KitModel):
    bucket: str = Field(description="Bucket holding the DAGs.")
    prefix: str = Field(default="dags/", description="Key prefix of the DAGs.")


class DagsSection(KitModel):
    source: Literal["git-bundle", "s3-bundle", "git-sync", "image"] = Field(
        description="How DAGs reach Airflow: an Airflow 3 DAG bundle (Git or S3), git-sync, or baked into the image."
    )
    git: GitSource | None = Field(default=None, description="Repository for `git-bundle` and `git-sync`.")
    s3: S3Source | None = Field(default=None, description="Location for `s3-bundle`.")
    refresh_interval_seconds: PositiveInt = Field(
        default=300, description="How often bundles or git-sync look for new commits."
    )


class Secrets(KitModel):
    """Values that must come from `pulumi config set --secret`. Never printed."""

    slack_webhook_url: SecretStr | None = None
    openlineage_api_key: SecretStr | None = None
    vault_address: SecretStr | None = None
    vault_token: SecretStr | None = None
    dags_git_token: SecretStr | None = None


SECRET_KEYS: tuple[str, ...] = tuple(field.alias or name for name, field in Secrets.model_fields.items())


class StackConfig(KitModel):
    """A whole stack, validated. ``stack`` and ``secrets`` are filled by the loader."""

    stack: str
    tier: Tier = Field(description="Environment tier; it picks every default below and the production floors.")
    executor: Executor = Field(
        description="`CeleryExecutor`, `KubernetesExecutor` or `CeleryExecutor,KubernetesExecutor`."
    )
    aws: AwsSection | None = Field(default=None, description="Required in the AWS tiers; not allowed in `local`.")
    kubernetes: KubernetesSection
    airflow: AirflowSection
    scheduler: SchedulerSection
    api_server: ApiServerSection
    triggerer: TriggererSection
    dag_processor: DagProcessorSection
    pgbouncer: PgbouncerSection
    celery: CelerySection
    kubernetes_executor: KubernetesExecutorSection
    workload: WorkloadSection
    tuning: TuningSection
    database: DatabaseSection | None = None
    redis: RedisSection | None = None
    logs: LogsSection | None = None
    secrets_backend: SecretsBackendSection
    vault: VaultSection
    slack: SlackSection
    openlineage: OpenLineageSection
    dags: DagsSection
    secrets: Secrets = Field(default_factory=Secrets)

    @property
    def on_aws(self) -> bool:
        return self.tier != "local"

    @property
    def uses_celery(self) -> bool:
        return CELERY in self.executor.split(",")

    @property
    def uses_kubernetes_executor(self) -> bool:
        return KUBERNETES in self.executor.split(",")

    @property
    def image_tag(self) -> str:
        return self.airflow.image.tag or self.airflow.version
