"""The CloudWatch alarms of one stack's data stores, with thresholds from the tier and the kit's own figures (pure).

RDS publishes per instance (``DBInstanceIdentifier``), ElastiCache per node (``CacheClusterId``:
the replication group's nodes are ``<group id>-001``, ``-002``, ...). RDS ``ReplicaLag`` exists only
for read replicas, which the kit does not create (Multi-AZ keeps a standby that is not readable
and publishes no lag), so there is no alarm on it; ElastiCache ``ReplicationLag`` is published by
the replica nodes only, so the primary's missing data counts as fine.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ...config.model import StackConfig
from ...config.sections.monitoring import CloudwatchSection
from ...naming.aws import AwsNames
from ...tuning.connection_budget import database_limit
from ...tuning.rds_instances import GIB, INSTANCE_MEMORY_GIB

Comparison = Literal["GreaterThanThreshold", "LessThanThreshold"]
PERIOD_SECONDS = 300
EVALUATION_PERIODS = 3
RDS = "AWS/RDS"
ELASTICACHE = "AWS/ElastiCache"


@dataclass(frozen=True)
class AlarmSpec:
    name: str  # the alarm's name, pinned
    description: str
    namespace: str
    metric: str
    dimensions: tuple[tuple[str, str], ...]
    statistic: Literal["Average", "Maximum", "Minimum", "Sum"]
    comparison: Comparison
    threshold: float
    missing_data: Literal["missing", "notBreaching", "breaching"] = "missing"
    # Consecutive five-minute periods over the threshold before the alarm fires.
    evaluation_periods: int = EVALUATION_PERIODS


def cache_node_ids(names: AwsNames, nodes: int) -> tuple[str, ...]:
    """The ``CacheClusterId`` of each node of the broker's replication group."""
    return tuple(f"{names.broker}-{index:03d}" for index in range(1, nodes + 1))


def alarm_specs(cfg: StackConfig, names: AwsNames, cloudwatch: CloudwatchSection) -> tuple[AlarmSpec, ...]:
    database = cfg.database
    if database is None:
        return ()
    t = cloudwatch.thresholds
    stack = cfg.stack
    instance = (("DBInstanceIdentifier", names.database),)
    specs = [
        AlarmSpec(
            f"{names.database}-cpu",
            f"[{stack}] metadata database CPU above {t.database_cpu_percent}%",
            RDS,
            "CPUUtilization",
            instance,
            "Average",
            "GreaterThanThreshold",
            t.database_cpu_percent,
        ),
        AlarmSpec(
            f"{names.database}-free-storage",
            f"[{stack}] metadata database free storage below {t.database_free_storage_percent}% of "
            f"{database.allocated_storage_gb} GiB",
            RDS,
            "FreeStorageSpace",
            instance,
            "Minimum",
            "LessThanThreshold",
            database.allocated_storage_gb * GIB * t.database_free_storage_percent / 100,
        ),
    ]
    memory_gib = INSTANCE_MEMORY_GIB.get(database.instance_class)
    if memory_gib is not None:
        specs.append(
            AlarmSpec(
                f"{names.database}-freeable-memory",
                f"[{stack}] metadata database freeable memory below {t.database_freeable_memory_percent}% of "
                f"{memory_gib:g} GiB",
                RDS,
                "FreeableMemory",
                instance,
                "Minimum",
                "LessThanThreshold",
                memory_gib * GIB * t.database_freeable_memory_percent / 100,
            )
        )
    available = database_limit(cfg).available
    if available is not None:
        specs.append(
            AlarmSpec(
                f"{names.database}-connections",
                f"[{stack}] metadata database connections above {t.database_connections_percent}% of the "
                f"{available} the kit leaves to Airflow",
                RDS,
                "DatabaseConnections",
                instance,
                "Maximum",
                "GreaterThanThreshold",
                round(available * t.database_connections_percent / 100, 2),
            )
        )
    redis = cfg.redis
    if cfg.uses_redis and redis is not None:
        for node in cache_node_ids(names, redis.num_cache_clusters):
            dimensions = (("CacheClusterId", node),)
            specs += [
                AlarmSpec(
                    f"{node}-memory",
                    f"[{stack}] Celery broker node {node} memory above {t.redis_memory_percent}%",
                    ELASTICACHE,
                    "DatabaseMemoryUsagePercentage",
                    dimensions,
                    "Maximum",
                    "GreaterThanThreshold",
                    t.redis_memory_percent,
                ),
                AlarmSpec(
                    f"{node}-evictions",
                    f"[{stack}] Celery broker node {node} evicts keys (lost task messages)",
                    ELASTICACHE,
                    "Evictions",
                    dimensions,
                    "Sum",
                    "GreaterThanThreshold",
                    t.redis_evictions,
                    evaluation_periods=1,  # each eviction is a lost message: no waiting
                ),
                AlarmSpec(
                    f"{node}-cpu",
                    f"[{stack}] Celery broker node {node} engine CPU above {t.redis_cpu_percent}%",
                    ELASTICACHE,
                    "EngineCPUUtilization",
                    dimensions,
                    "Average",
                    "GreaterThanThreshold",
                    t.redis_cpu_percent,
                ),
            ]
            if redis.num_cache_clusters >= 2:
                specs.append(
                    AlarmSpec(
                        f"{node}-replication-lag",
                        f"[{stack}] Celery broker replica {node} lags over {t.redis_replication_lag_seconds} s",
                        ELASTICACHE,
                        "ReplicationLag",
                        dimensions,
                        "Maximum",
                        "GreaterThanThreshold",
                        t.redis_replication_lag_seconds,
                        missing_data="notBreaching",
                    )
                )
    return tuple(specs)
