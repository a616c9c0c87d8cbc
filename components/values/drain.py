"""The graceful drain's share of the Airflow config and of the chart values (pure).

See ``tuning/drain.py`` for why each value follows from ``workload.longestTaskSeconds``.
"""

from __future__ import annotations

from typing import Any

from ..config.model import StackConfig
from ..config.sections.airflow import AirflowConfig
from ..tuning.drain import derive_drain


def drain_airflow_config(cfg: StackConfig) -> AirflowConfig:
    """Celery options that make SIGTERM a drain: Airflow's own defaults for the first two, pinned
    because the drain depends on them (a task is acknowledged only when it ends, and a worker
    reserves no more than it runs, so a warm shutdown hands nothing to the void)."""
    if not cfg.uses_celery:
        return {}
    config: AirflowConfig = {"celery": {"task_acks_late": True, "worker_prefetch_multiplier": 1}}
    if cfg.uses_redis:
        # RabbitMQ has no visibility timeout: it redelivers an unacknowledged message when the
        # consumer's connection closes (its consumer_timeout is judged in tuning/checks.py).
        visibility = derive_drain(cfg).visibility_timeout_seconds
        config["celery_broker_transport_options"] = {"visibility_timeout": visibility}
    return config


def drain_pod_values(cfg: StackConfig) -> dict[str, Any]:
    """Grace and eviction of a worker set (``workers.celery``, or one of its ``sets``) or of task pods."""
    drain = derive_drain(cfg)
    return {"terminationGracePeriodSeconds": drain.termination_grace_period_seconds, "safeToEvict": drain.safe_to_evict}


# A task pod's container is the task: Kubernetes would SIGTERM it at once, and the task would be
# killed. The hook holds the SIGTERM back until PID 1 (dumb-init, which exits with the task)
# ends, or until the grace period runs out.
TASK_POD_PRE_STOP = {"exec": {"command": ["sh", "-c", "while kill -0 1 2>/dev/null; do sleep 2; done"]}}
