"""Alerting and observability: Prometheus Operator objects in the cluster, CloudWatch alarms in AWS.

Thresholds that depend on the deployment (slots, connection budgets, worker maximum, triggerer
capacity, scheduler count) come from the capacity model; what is set here is how close to those
figures, and for how long, is worth waking someone (``values/monitoring/thresholds.py``).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field

from .. import name_syntax
from ..base import KitModel

Percent = Annotated[int, Field(ge=1, le=100)]
Minutes = Annotated[int, Field(ge=1, le=1440)]


def _labels(labels: dict[str, str]) -> dict[str, str]:
    for key, value in labels.items():
        broken = name_syntax.label_key(key) or name_syntax.label_value(value)
        if broken:
            raise ValueError(f"'{key}: {value}' is not a Kubernetes label: it {broken}")
    return labels


class PrometheusSection(KitModel):
    enabled: bool = Field(
        description="Create a ServiceMonitor, a PrometheusRule and a Grafana dashboard ConfigMap "
        "(needs the Prometheus Operator's CRDs in the cluster)."
    )
    labels: Annotated[dict[str, str], AfterValidator(_labels)] = Field(
        default_factory=dict,
        description="Labels on the ServiceMonitors and the PrometheusRule, so that your Prometheus's "
        "`serviceMonitorSelector` and `ruleSelector` pick them (kube-prometheus-stack: `release: <its release>`).",
    )
    scrape_interval_seconds: Annotated[int, Field(ge=5, le=300)] = Field(
        default=30, description="How often Prometheus scrapes the StatsD and PgBouncer exporters."
    )
    dashboard_namespace: str | None = Field(
        default=None,
        description="Namespace of the Grafana dashboard ConfigMap (where Grafana's sidecar looks). "
        "Default: `kubernetes.monitoringNamespace`, else Airflow's namespace.",
    )


class AlertThresholds(KitModel):
    """How close to a capacity figure, and for how long, before an alert fires."""

    heartbeat_missing_minutes: Minutes = Field(
        description="No scheduler, triggerer or dag-processor heartbeat for this long."
    )
    queued_minutes: Minutes = Field(description="Tasks stay queued this long while the default pool has free slots.")
    no_free_slots_minutes: Minutes = Field(description="The default pool has no free slot for this long.")
    pool_saturation_percent: Percent = Field(description="Share of the default pool's slots in use.")
    pgbouncer_budget_percent: Percent = Field(
        description="Share of PgBouncer's derived `max_client_conn` (clients) or server pools (server connections)."
    )
    task_failure_percent: Percent = Field(description="Share of finished tasks that failed, over 15 minutes.")
    triggerer_capacity_percent: Percent = Field(description="Share of a triggerer's `capacity` in use.")
    workers_at_max_minutes: Minutes = Field(description="Celery work fills KEDA's maximum of workers for this long.")
    import_errors_minutes: Minutes = Field(description="DAG files fail to import for this long.")


class CloudwatchThresholds(KitModel):
    database_cpu_percent: Percent = Field(description="RDS `CPUUtilization` above this.")
    database_free_storage_percent: Percent = Field(
        description="RDS `FreeStorageSpace` below this share of `database.allocatedStorageGb` "
        "(storage autoscaling grows the volume before)."
    )
    database_freeable_memory_percent: Percent = Field(
        description="RDS `FreeableMemory` below this share of the instance class's memory."
    )
    database_connections_percent: Percent = Field(
        description="RDS `DatabaseConnections` above this share of the connections the kit leaves to Airflow."
    )
    redis_memory_percent: Percent = Field(description="ElastiCache `DatabaseMemoryUsagePercentage` above this.")
    redis_cpu_percent: Percent = Field(description="ElastiCache `EngineCPUUtilization` above this.")
    redis_evictions: Annotated[int, Field(ge=0)] = Field(
        description="ElastiCache `Evictions` in five minutes above this (a broker should evict nothing)."
    )
    redis_replication_lag_seconds: Annotated[int, Field(ge=1)] = Field(
        description="ElastiCache `ReplicationLag` of a replica above this."
    )


_SLACK_ID = r"^[A-Z0-9]{9,12}$"


class CloudwatchSection(KitModel):
    enabled: bool = Field(description="CloudWatch alarms on the database and the broker, to an SNS topic.")
    slack_workspace_id: str | None = Field(
        default=None,
        pattern=_SLACK_ID,
        description="Slack workspace (team) id for AWS Chatbot, e.g. `T0123ABCD`; authorize it once first "
        "(docs/runbooks/alerts.md).",
    )
    slack_channel_id: str | None = Field(
        default=None, pattern=_SLACK_ID, description="Slack channel id AWS Chatbot posts alarms to, e.g. `C0123ABCD`."
    )
    emails: list[Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]] = Field(
        default_factory=list, description="Email addresses subscribed to the alarm topic (each confirms once)."
    )
    thresholds: CloudwatchThresholds = Field(description="Alarm thresholds, as shares of the kit's own figures.")


class MonitoringSection(KitModel):
    prometheus: PrometheusSection = Field(description="Prometheus Operator objects in the cluster.")
    thresholds: AlertThresholds = Field(description="Thresholds of the Prometheus alerts.")
    cloudwatch: CloudwatchSection | None = Field(
        default=None, description="CloudWatch alarms (AWS tiers only), to Slack through AWS Chatbot or to email."
    )
    runbook_url: str = Field(
        default="docs/runbooks/alerts.md",
        pattern=r"^\S+$",
        description="Where your team reads the kit's alert runbook; each alert's `runbook_url` is this "
        "plus the alert's section anchor (e.g. your fork's `https://.../blob/main/docs/runbooks/alerts.md`).",
    )
