"""What the prod tier requires: redundancy of every component, and hardened data stores."""

from __future__ import annotations

from collections.abc import Iterator

from ..errors import Problem
from ..model import StackConfig
from ..registry import AIRFLOW_SERVICES
from ..rule import rule

PROD_MIN_REPLICAS = 2
PROD_MIN_BACKUP_DAYS = 7


@rule("tier", *(service.section for service in AIRFLOW_SERVICES), "pgbouncer")
def prod_component_floors(cfg: StackConfig, _explicit: frozenset[str]) -> Iterator[Problem]:
    if cfg.tier != "prod":
        return
    for service in AIRFLOW_SERVICES:
        replicas = service.spec(cfg).replicas
        if replicas < PROD_MIN_REPLICAS:
            yield Problem(
                f"{service.config_key}.replicas",
                f"the prod tier requires at least {PROD_MIN_REPLICAS} for high availability (got {replicas})",
            )
    if not cfg.pgbouncer.enabled:
        yield Problem(
            "pgbouncer.enabled", "the prod tier requires PgBouncer in front of the metadata database (got false)"
        )
    elif cfg.pgbouncer.replicas < PROD_MIN_REPLICAS:
        yield Problem(
            "pgbouncer.replicas", f"the prod tier requires at least {PROD_MIN_REPLICAS} (got {cfg.pgbouncer.replicas})"
        )


@rule("tier", "database")
def prod_database_hardening(cfg: StackConfig, _explicit: frozenset[str]) -> Iterator[Problem]:
    db = cfg.database
    if db is None:
        return
    if db.max_allocated_storage_gb < db.allocated_storage_gb:
        yield Problem(
            "database.maxAllocatedStorageGb",
            f"must be at least database.allocatedStorageGb ({db.allocated_storage_gb}); "
            f"got {db.max_allocated_storage_gb}",
        )
    if cfg.tier != "prod":
        return
    if not db.multi_az:
        yield Problem("database.multiAz", "the prod tier requires a Multi-AZ metadata database (got false)")
    if db.backup_retention_days < PROD_MIN_BACKUP_DAYS:
        yield Problem(
            "database.backupRetentionDays",
            f"the prod tier requires at least {PROD_MIN_BACKUP_DAYS} days (got {db.backup_retention_days})",
        )
    if not db.deletion_protection:
        yield Problem("database.deletionProtection", "the prod tier requires deletion protection (got false)")
    if not db.protect:
        yield Problem(
            "database.protect", "the prod tier requires Pulumi protect and retainOnDelete on the database (got false)"
        )


@rule("tier", "executor", "broker", "redis")
def broker_hardening(cfg: StackConfig, _explicit: frozenset[str]) -> Iterator[Problem]:
    redis = cfg.redis
    if redis is None or not cfg.uses_redis:
        return
    if redis.multi_az and redis.num_cache_clusters < 2:
        yield Problem(
            "redis.multiAz",
            "Multi-AZ needs automatic failover, which needs redis.numCacheClusters of 2 or more "
            f"(got {redis.num_cache_clusters})",
        )
    if cfg.tier == "prod":
        if redis.num_cache_clusters < PROD_MIN_REPLICAS:
            yield Problem(
                "redis.numCacheClusters",
                f"the prod tier requires at least {PROD_MIN_REPLICAS} broker nodes (got {redis.num_cache_clusters})",
            )
        if not redis.multi_az:
            yield Problem(
                "redis.multiAz", "the prod tier requires a Multi-AZ broker with automatic failover (got false)"
            )
