"""Defaults per environment tier, in the stack file's own shape (camelCase keys).

A stack states only what differs from its tier. ``{stack}`` in a string default is replaced by
the stack name. Sections that do not exist in a tier (the AWS data stores in ``local``) are
absent here, and ``rules.py`` refuses them when a stack sets them.
"""

from __future__ import annotations

import copy
from typing import Any


def _alert_thresholds(minutes: int, pool: int, pgbouncer: int, failures: int, triggerer: int) -> dict[str, Any]:
    """The Prometheus alerts of a tier: ``minutes`` before a stuck state pages, shares of the capacity figures."""
    return {
        "heartbeatMissingMinutes": max(2, minutes // 5),
        "queuedMinutes": minutes,
        "noFreeSlotsMinutes": minutes,
        "poolSaturationPercent": pool,
        "pgbouncerBudgetPercent": pgbouncer,
        "taskFailurePercent": failures,
        "triggererCapacityPercent": triggerer,
        "workersAtMaxMinutes": minutes,
        "importErrorsMinutes": minutes,
    }


def _cloudwatch(cpu: int, free: int, connections: int, redis_memory: int, lag: int) -> dict[str, Any]:
    return {
        "enabled": False,
        "thresholds": {
            "databaseCpuPercent": cpu,
            "databaseFreeStoragePercent": free,
            "databaseFreeableMemoryPercent": free,
            "databaseConnectionsPercent": connections,
            "redisMemoryPercent": redis_memory,
            "redisCpuPercent": cpu,
            "redisEvictions": 0,
            "redisReplicationLagSeconds": lag,
        },
    }


def _resources(cpu: str, memory: str, cpu_limit: str | None = None, memory_limit: str | None = None) -> dict[str, Any]:
    resources: dict[str, Any] = {"requests": {"cpu": cpu, "memory": memory}}
    if cpu_limit or memory_limit:
        resources["limits"] = {"cpu": cpu_limit or cpu, "memory": memory_limit or memory}
    return resources


def _rabbitmq(instance_type: str, deployment_mode: str, *, log_retention_days: int) -> dict[str, Any]:
    return {
        "instanceType": instance_type,
        "deploymentMode": deployment_mode,
        # Sunday night in UTC, the quietest hours of most batch schedules.
        "maintenanceWindow": {"dayOfWeek": "SUNDAY", "timeOfDay": "03:00", "timeZone": "UTC"},
        "logRetentionDays": log_retention_days,
    }


def _retention(enabled: bool, days: int, schedule: str, *, export: bool) -> dict[str, Any]:
    return {"enabled": enabled, "retentionDays": days, "schedule": schedule, "export": {"enabled": export}}


# What every tier shares; the tiers below override parts of it.
_COMMON: dict[str, Any] = {
    "kubernetes": {"ingress": {"enabled": False}},
    "airflow": {},
    "celery": {"workers": {}},
    "broker": {"type": "redis"},
    "kubernetesExecutor": {},
    "triggerer": {"defaultDeferrable": False},
    "tuning": {},
    # Why these figures: docs/adr/0007-dead-workers-and-broker-outages.md.
    "recovery": {"taskHeartbeatTimeoutSeconds": 120, "defaultTaskRetries": 2, "defaultRetryDelaySeconds": 60},
    # 540 s of task plus a minute to report keeps the chart's 600 s termination grace.
    "workload": {"maxActiveRunsPerDag": 16, "maxActiveTasksPerDag": 16, "longestTaskSeconds": 540},
    "secretsBackend": {
        "connectionsPrefix": "airflow/{stack}/connections",
        "variablesPrefix": "airflow/{stack}/variables",
        "configPrefix": "airflow/{stack}/config",
        "cacheTtlSeconds": 900,
    },
    "vault": {"role": "airflow-{stack}"},
    "slack": {"enabled": False},
    "openlineage": {"enabled": False, "namespace": "{stack}"},
    "dags": {"source": "image"},
    # Off by default: the Prometheus objects need the Prometheus Operator's CRDs in the cluster, and
    # alarms need someone to notify. The shipped staging and prod stacks turn both on.
    "monitoring": {"prometheus": {"enabled": False}},
    "events": {},
    "xcom": {"objectStorage": {"enabled": False}},
}

_TIERS: dict[str, dict[str, Any]] = {
    "local": {
        "executor": "CeleryExecutor",
        "kubernetes": {"networkPolicies": False},
        "scheduler": {"replicas": 1, "resources": _resources("250m", "512Mi", memory_limit="1Gi")},
        "apiServer": {"replicas": 1, "workers": 1, "resources": _resources("250m", "768Mi", memory_limit="1Gi")},
        "triggerer": {"replicas": 1, "resources": _resources("100m", "256Mi", memory_limit="512Mi")},
        "dagProcessor": {"replicas": 1, "resources": _resources("250m", "512Mi", memory_limit="1Gi")},
        "pgbouncer": {"enabled": False, "replicas": 1, "resources": _resources("50m", "64Mi", memory_limit="128Mi")},
        "celery": {"workers": {"keda": False, "resources": _resources("500m", "1Gi", memory_limit="2Gi")}},
        "workload": {
            "peakRunningTasks": 4,
            "maxActiveRunsPerDag": 4,
            "maxActiveTasksPerDag": 4,
            "taskResources": _resources("100m", "256Mi"),
        },
        "monitoring": {"thresholds": _alert_thresholds(30, 95, 90, 50, 90)},
        "secretsBackend": {"type": "none"},
        # No S3 in the local tier: nothing to export to.
        "metadataRetention": _retention(False, 30, "30 2 * * 0", export=False),
        "recovery": {"taskHeartbeatTimeoutSeconds": 60, "defaultTaskRetries": 0, "defaultRetryDelaySeconds": 30},
    },
    "dev": {
        "executor": "KubernetesExecutor",
        "kubernetes": {"networkPolicies": True},
        "scheduler": {"replicas": 1, "resources": _resources("500m", "1Gi", memory_limit="2Gi")},
        "apiServer": {"replicas": 1, "resources": _resources("250m", "1Gi", memory_limit="2Gi")},
        "triggerer": {"replicas": 1, "resources": _resources("250m", "512Mi", memory_limit="1Gi")},
        "dagProcessor": {"replicas": 1, "resources": _resources("500m", "1Gi", memory_limit="2Gi")},
        "pgbouncer": {"enabled": True, "replicas": 1, "resources": _resources("100m", "128Mi", memory_limit="256Mi")},
        "celery": {"workers": {"keda": True, "resources": _resources("1", "2Gi", memory_limit="4Gi")}},
        "workload": {"peakRunningTasks": 16, "taskResources": _resources("250m", "512Mi", memory_limit="1Gi")},
        "database": {
            "instanceClass": "db.t4g.medium",
            "allocatedStorageGb": 20,
            "maxAllocatedStorageGb": 100,
            "multiAz": False,
            "backupRetentionDays": 1,
            "deletionProtection": False,
            "protect": False,
            "performanceInsights": False,
            "monitoringIntervalSeconds": 0,
            "logRetentionDays": 7,
        },
        "redis": {"nodeType": "cache.t4g.small", "numCacheClusters": 1, "multiAz": False, "snapshotRetentionDays": 0},
        "rabbitmq": _rabbitmq("mq.t3.micro", "SINGLE_INSTANCE", log_retention_days=7),
        "logs": {"retentionDays": 30},
        "metadataRetention": _retention(True, 30, "30 2 * * 0", export=True),
        "monitoring": {
            "thresholds": _alert_thresholds(30, 95, 90, 50, 90),
            "cloudwatch": _cloudwatch(90, 10, 90, 85, 60),
        },
        "secretsBackend": {"type": "aws-secrets-manager"},
        "recovery": {"taskHeartbeatTimeoutSeconds": 90, "defaultTaskRetries": 1, "defaultRetryDelaySeconds": 30},
    },
    "staging": {
        "executor": "CeleryExecutor,KubernetesExecutor",
        "kubernetes": {"networkPolicies": True},
        "scheduler": {"replicas": 2, "resources": _resources("1", "2Gi", memory_limit="4Gi")},
        "apiServer": {"replicas": 2, "resources": _resources("500m", "1Gi", memory_limit="2Gi")},
        "triggerer": {
            "defaultDeferrable": True,
            "replicas": 2,
            "resources": _resources("250m", "512Mi", memory_limit="1Gi"),
        },
        "dagProcessor": {"replicas": 2, "resources": _resources("1", "2Gi", memory_limit="4Gi")},
        "pgbouncer": {"enabled": True, "replicas": 2, "resources": _resources("100m", "128Mi", memory_limit="256Mi")},
        "celery": {"workers": {"keda": True, "resources": _resources("2", "4Gi", memory_limit="8Gi")}},
        "workload": {"peakRunningTasks": 64, "taskResources": _resources("250m", "512Mi", memory_limit="1Gi")},
        "database": {
            "instanceClass": "db.r6g.large",
            "allocatedStorageGb": 50,
            "maxAllocatedStorageGb": 500,
            "multiAz": True,
            "backupRetentionDays": 7,
            "deletionProtection": True,
            "protect": False,
            "performanceInsights": True,
            "monitoringIntervalSeconds": 60,
            "logRetentionDays": 30,
        },
        "redis": {"nodeType": "cache.t4g.medium", "numCacheClusters": 2, "multiAz": True, "snapshotRetentionDays": 1},
        "rabbitmq": _rabbitmq("mq.m5.large", "SINGLE_INSTANCE", log_retention_days=30),
        "logs": {"retentionDays": 90},
        "metadataRetention": _retention(True, 60, "30 2 * * *", export=True),
        "monitoring": {
            "thresholds": _alert_thresholds(15, 90, 85, 25, 85),
            "cloudwatch": _cloudwatch(85, 15, 85, 80, 30),
        },
        "secretsBackend": {"type": "aws-secrets-manager"},
        "xcom": {"objectStorage": {"enabled": True}},
    },
    "prod": {
        "executor": "CeleryExecutor",
        "kubernetes": {"networkPolicies": True},
        "scheduler": {"replicas": 2, "resources": _resources("2", "4Gi", memory_limit="8Gi")},
        "apiServer": {"replicas": 2, "resources": _resources("1", "2Gi", memory_limit="4Gi")},
        "triggerer": {
            "defaultDeferrable": True,
            "replicas": 2,
            "resources": _resources("500m", "1Gi", memory_limit="2Gi"),
        },
        "dagProcessor": {"replicas": 2, "resources": _resources("2", "4Gi", memory_limit="8Gi")},
        "pgbouncer": {"enabled": True, "replicas": 2, "resources": _resources("250m", "256Mi", memory_limit="512Mi")},
        "celery": {"workers": {"keda": True, "resources": _resources("4", "8Gi", memory_limit="16Gi")}},
        "workload": {"peakRunningTasks": 128, "taskResources": _resources("250m", "512Mi", memory_limit="1Gi")},
        "database": {
            "instanceClass": "db.r6g.xlarge",
            "allocatedStorageGb": 100,
            "maxAllocatedStorageGb": 1000,
            "multiAz": True,
            "backupRetentionDays": 14,
            "deletionProtection": True,
            "protect": True,
            "performanceInsights": True,
            "monitoringIntervalSeconds": 60,
            "logRetentionDays": 90,
        },
        "redis": {"nodeType": "cache.r7g.large", "numCacheClusters": 2, "multiAz": True, "snapshotRetentionDays": 7},
        "rabbitmq": _rabbitmq("mq.m5.large", "CLUSTER_MULTI_AZ", log_retention_days=90),
        "logs": {"retentionDays": 365},
        "metadataRetention": _retention(True, 90, "30 2 * * *", export=True),
        "monitoring": {
            "thresholds": _alert_thresholds(10, 85, 80, 10, 80),
            "cloudwatch": _cloudwatch(80, 20, 80, 75, 10),
        },
        "secretsBackend": {"type": "aws-secrets-manager"},
        "xcom": {"objectStorage": {"enabled": True}},
    },
}


def deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """``override`` on top of ``base``; nested dicts merge, everything else replaces."""
    merged = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def _substitute(value: Any, stack: str) -> Any:
    if isinstance(value, str):
        return value.replace("{stack}", stack)
    if isinstance(value, dict):
        return {key: _substitute(item, stack) for key, item in value.items()}
    if isinstance(value, list):
        return [_substitute(item, stack) for item in value]
    return value


def tier_defaults(tier: str, stack: str = "{stack}") -> dict[str, Any]:
    """The full default config of a tier, ``{stack}`` replaced by the stack name."""
    defaults: dict[str, Any] = _substitute(deep_merge(_COMMON, _TIERS[tier]), stack)
    return defaults
