"""The figures the alerts compare live use against: the capacity model's own, for this stack (pure)."""

from __future__ import annotations

from dataclasses import dataclass

from ...config.model import StackConfig
from ...config.sections.monitoring import AlertThresholds
from ...naming.kubernetes import Names
from ...tuning.model import Tuning

# Airflow's `[scheduler] scheduler_heartbeat_sec` default, which the kit keeps: each live scheduler
# counts one `scheduler_heartbeat` about this often.
SCHEDULER_HEARTBEAT_SECONDS = 5
# A scheduler heartbeats once its loop notices the interval has passed, so it counts a little less
# than once per interval; measured on a loaded machine it stays above this share.
HEARTBEAT_DUTY = 0.8


@dataclass(frozen=True)
class MonitoredCapacity:
    """What one stack's alerts and dashboard are sized from."""

    stack: str
    tier: str
    names: Names
    schedulers: int
    default_pool_slots: int
    triggerer_capacity: int
    celery_slots_at_max: int | None  # KEDA's maximum of workers × worker_concurrency; None without Celery
    pgbouncer_max_client_conn: int | None  # per PgBouncer pod; None with PgBouncer off
    pgbouncer_server_connections: int | None  # per PgBouncer pod: metadata + result-backend pools
    thresholds: AlertThresholds
    runbook_url: str

    @property
    def live_schedulers_floor(self) -> float:
        """Counted live schedulers below this mean one is missing.

        ``n`` live schedulers count between ``HEARTBEAT_DUTY × n`` and ``n`` heartbeat intervals per
        interval; one fewer counts at most ``n - 1``. The midpoint keeps both apart.
        """
        n = self.schedulers
        return round(((n - 1) + HEARTBEAT_DUTY * n) / 2, 2)


def monitored_capacity(cfg: StackConfig, names: Names, tuning: Tuning) -> MonitoredCapacity:
    pools = tuning.pgbouncer
    celery_at_max = tuning.celery_slots if cfg.uses_celery and cfg.celery.workers.keda else None
    return MonitoredCapacity(
        stack=cfg.stack,
        tier=cfg.tier,
        names=names,
        schedulers=cfg.scheduler.replicas,
        default_pool_slots=tuning.default_pool_task_slot_count,
        triggerer_capacity=cfg.triggerer.capacity,
        celery_slots_at_max=celery_at_max,
        pgbouncer_max_client_conn=pools.max_client_conn if pools is not None else None,
        pgbouncer_server_connections=pools.server_connections if pools is not None else None,
        thresholds=cfg.monitoring.thresholds,
        runbook_url=cfg.monitoring.runbook_url,
    )
