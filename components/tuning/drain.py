"""Graceful drain: how long a stopping worker waits for its running tasks, derived from the longest task (pure).

A Celery worker stops on a KEDA scale-down, a rolling update, a node drain or a spot reclaim.
Kubernetes sends SIGTERM, waits ``terminationGracePeriodSeconds``, then kills. Celery's answer
to SIGTERM is a warm shutdown: it stops consuming, hands its prefetched messages back to the
broker and waits for the running tasks (the chart sets ``DUMB_INIT_SETSID=0`` so that only the
worker's main process gets the signal, not the tasks). So every timer around that wait follows
from ``workload.longestTaskSeconds``:

- the grace period: the longest task plus ``TASK_WRAP_UP_SECONDS`` for it to report its state
  and upload its log;
- Redis's ``visibility_timeout``: with ``task_acks_late`` a running task's message stays
  unacknowledged, and Redis hands it to a second worker once the timeout passes; twice the
  grace keeps a task that overruns its declared length from running twice;
- KEDA's ``cooldownPeriod``: no scale to the floor sooner than one drain (and never below
  the 300 s the kit used before);
- with RabbitMQ, the unacknowledged message of a running task must outlive it within the
  broker's ``consumer_timeout`` (30 minutes by default);
- ``safeToEvict``: the cluster autoscaler waits only ``--max-graceful-termination-sec``
  (600 s by default) for an evicted pod, so a longer drain must keep it from evicting workers.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..config.model import StackConfig

# After the task's own work: its final state to the Execution API, its log to S3.
TASK_WRAP_UP_SECONDS = 60
# The cluster autoscaler's default --max-graceful-termination-sec.
CLUSTER_AUTOSCALER_GRACE_SECONDS = 600
KEDA_COOLDOWN_FLOOR_SECONDS = 300
# RabbitMQ's (and Amazon MQ's) default consumer_timeout: a delivery unacknowledged for longer
# closes the consumer's channel, and the running task's message goes to another worker.
RABBITMQ_CONSUMER_TIMEOUT_SECONDS = 1800
VISIBILITY_TIMEOUT_FACTOR = 2


@dataclass(frozen=True)
class Drain:
    termination_grace_period_seconds: int  # workers.celery / workers.kubernetes
    keda_cooldown_period_seconds: int  # workers.celery.keda.cooldownPeriod
    safe_to_evict: bool  # cluster-autoscaler.kubernetes.io/safe-to-evict on worker and task pods
    visibility_timeout_seconds: int  # [celery_broker_transport_options] visibility_timeout


def drain_seconds(cfg: StackConfig) -> int:
    """How long one stopping worker (or task pod) may take to finish its tasks."""
    return cfg.workload.longest_task_seconds + TASK_WRAP_UP_SECONDS


def derive_drain(cfg: StackConfig) -> Drain:
    grace = drain_seconds(cfg)
    return Drain(
        termination_grace_period_seconds=grace,
        keda_cooldown_period_seconds=max(KEDA_COOLDOWN_FLOOR_SECONDS, grace),
        safe_to_evict=grace <= CLUSTER_AUTOSCALER_GRACE_SECONDS,
        visibility_timeout_seconds=VISIBILITY_TIMEOUT_FACTOR * grace,
    )
