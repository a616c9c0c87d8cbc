"""The typed model of one stack's config: the single source of truth every component reads.

Keys are camelCase in the stack file (``airflow-ha:scheduler.replicas``), as Pulumi config
usually is; Python code reads snake_case attributes. Every model forbids unknown keys, so a
typo is an error, not a silently ignored setting. Defaults that depend on the environment
tier live in ``tiers.py``; the defaults in the sections are the ones every tier shares. Each
field's ``description`` is what ``docs/configuration.md`` prints for it, and a test requires one.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from .base import KitModel
from .executors import CELERY, KUBERNETES, LOCAL, Executor
from .secrets import Secrets
from .sections.airflow import AirflowSection
from .sections.aws import AwsSection, DatabaseSection, LogsSection, RabbitmqSection, RedisSection
from .sections.broker import RABBITMQ, REDIS, BrokerSection
from .sections.dags import DagsSection
from .sections.events import EventsSection, XComSection
from .sections.executors import CelerySection, KubernetesExecutorSection
from .sections.integrations import OpenLineageSection, SecretsBackendSection, SlackSection, VaultSection
from .sections.kubernetes import KubernetesSection
from .sections.monitoring import MonitoringSection
from .sections.recovery import RecoverySection
from .sections.retention import MetadataRetentionSection
from .sections.services import (
    ApiServerSection,
    DagProcessorSection,
    PgbouncerSection,
    SchedulerSection,
    TriggererSection,
)
from .sections.workload import TuningSection, WorkloadSection

Tier = Literal["local", "dev", "staging", "prod"]
TIERS: tuple[str, ...] = ("local", "dev", "staging", "prod")
AWS_TIERS: tuple[str, ...] = ("dev", "staging", "prod")
# Sections that exist only where there is AWS: the `local` tier refuses them.
AWS_SECTIONS: tuple[str, ...] = ("aws", "database", "redis", "rabbitmq", "logs")


class StackConfig(KitModel):
    """A whole stack, validated. ``stack`` and ``secrets`` are filled by the loader."""

    stack: str = Field(description="The Pulumi stack name.")
    tier: Tier = Field(description="Environment tier; it picks every default below and the production floors.")
    executor: Executor = Field(
        description="`CeleryExecutor`, `KubernetesExecutor`, `CeleryExecutor,KubernetesExecutor`, or "
        "`LocalExecutor` (tasks run inside the scheduler pods; local and dev tiers only)."
    )
    aws: AwsSection | None = Field(
        default=None,
        description="The existing AWS network and EKS cluster. Required in the AWS tiers; not allowed in `local`.",
    )
    kubernetes: KubernetesSection = Field(
        description="Where in the cluster Airflow is installed, and how it is reached."
    )
    airflow: AirflowSection = Field(description="The Airflow version, chart and image, and extra Airflow config.")
    scheduler: SchedulerSection = Field(description="The schedulers.")
    api_server: ApiServerSection = Field(description="The api-servers: the UI, the REST API and the Execution API.")
    triggerer: TriggererSection = Field(description="The triggerers, which run deferred tasks.")
    dag_processor: DagProcessorSection = Field(description="The dag-processors, which parse DAG files.")
    pgbouncer: PgbouncerSection = Field(description="PgBouncer in front of the metadata database.")
    celery: CelerySection = Field(description="Celery workers (executors with `CeleryExecutor`).")
    kubernetes_executor: KubernetesExecutorSection = Field(description="Task pods of the `KubernetesExecutor`.")
    workload: WorkloadSection = Field(description="The workload the deployment must carry; the kit sizes from it.")
    tuning: TuningSection = Field(description="Overrides of the settings the kit derives from the workload.")
    recovery: RecoverySection = Field(description="Riding out a dead worker and a broker failover.")
    database: DatabaseSection | None = Field(default=None, description="The RDS PostgreSQL metadata database.")
    broker: BrokerSection = Field(description="The Celery broker (executors with `CeleryExecutor`).")
    redis: RedisSection | None = Field(default=None, description="The ElastiCache Redis Celery broker.")
    rabbitmq: RabbitmqSection | None = Field(
        default=None, description="The Amazon MQ for RabbitMQ Celery broker (`broker.type: rabbitmq`)."
    )
    logs: LogsSection | None = Field(default=None, description="The S3 bucket of task logs.")
    metadata_retention: MetadataRetentionSection = Field(
        description="Purging old run history from the metadata database, and its export to S3."
    )
    secrets_backend: SecretsBackendSection = Field(description="Where Airflow looks up connections and variables.")
    vault: VaultSection = Field(description="HashiCorp Vault, when it is the secrets backend.")
    slack: SlackSection = Field(description="Slack alerts on task failures.")
    openlineage: OpenLineageSection = Field(description="OpenLineage events.")
    dags: DagsSection = Field(description="How DAGs reach Airflow.")
    monitoring: MonitoringSection = Field(description="Alerts and dashboards: Prometheus Operator objects, CloudWatch.")
    events: EventsSection = Field(description="S3 event notifications that trigger DAGs through asset watchers.")
    xcom: XComSection = Field(description="Where XComs are stored.")
    secrets: Secrets = Field(default_factory=Secrets, description="The secret keys (`pulumi config set --secret`).")

    @property
    def on_aws(self) -> bool:
        return self.tier != "local"

    @property
    def uses_celery(self) -> bool:
        return CELERY in self.executor.split(",")

    @property
    def uses_local_executor(self) -> bool:
        """Tasks run as processes of the schedulers: no broker, no workers."""
        return self.executor == LOCAL

    @property
    def uses_redis(self) -> bool:
        """Celery through Redis: ElastiCache on AWS, the chart's in-cluster Redis locally."""
        return self.uses_celery and self.broker.type == REDIS

    @property
    def uses_rabbitmq(self) -> bool:
        """Celery through Amazon MQ for RabbitMQ (AWS tiers only)."""
        return self.uses_celery and self.broker.type == RABBITMQ

    @property
    def uses_kubernetes_executor(self) -> bool:
        return KUBERNETES in self.executor.split(",")

    @property
    def image_tag(self) -> str:
        return self.airflow.image.tag or self.airflow.version

    @property
    def image_reference(self) -> str:
        """The Airflow image as pods pull it: ``repository@digest`` when pinned, else ``repository:tag``."""
        image = self.airflow.image
        return f"{image.repository}@{image.digest}" if image.digest else f"{image.repository}:{self.image_tag}"
