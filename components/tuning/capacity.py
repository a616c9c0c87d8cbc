"""The capacity report of a stack: the plan's ``capacity`` key and the lines of its summary (pure)."""

from __future__ import annotations

from typing import Any

from ..config.executors import CELERY, KUBERNETES, LOCAL
from ..config.model import StackConfig
from ..config.sections.workload import DEFAULT_QUEUE
from .broker_capacity import rabbitmq_connections
from .connection_budget import database_limit, server_connections, tuning_connections
from .model import QueueTuning, Tuning


def capacity_report(cfg: StackConfig, tuning: Tuning) -> dict[str, Any]:
    """JSON-serialisable figures; ``None`` where a figure cannot be known (an unsized instance class)."""
    executors: dict[str, Any] = {}
    if cfg.uses_celery:
        executors[CELERY] = {
            "workers": tuning.max_celery_workers,
            "minWorkers": tuning.min_celery_workers
            if tuning.min_celery_workers is not None
            else tuning.max_celery_workers,
            "autoscaled": cfg.celery.workers.keda,
            "workerConcurrency": tuning.worker_concurrency,
            "slots": tuning.celery_slots,
        }
        if tuning.queues:
            # The figures above then count every queue's slots, and the default queue's workers.
            executors[CELERY]["queues"] = _queues(cfg, tuning)
    if cfg.uses_kubernetes_executor:
        executors[KUBERNETES] = {
            "slots": tuning.kubernetes_task_pods,
            "podsCreatedPerSchedulerLoop": tuning.worker_pods_creation_batch_size,
        }

    if cfg.uses_local_executor:
        executors[LOCAL] = {
            "tasksPerScheduler": tuning.parallelism,
            "schedulers": cfg.scheduler.replicas,
            "slots": tuning.local_task_slots,  # with one scheduler down
        }

    budget = tuning_connections(cfg, tuning)
    clients = sum(c.total for c in budget.values())
    limit = database_limit(cfg)
    used = server_connections(cfg, tuning)
    pgbouncer = None
    if tuning.pgbouncer is not None:
        pgbouncer = {
            "replicas": cfg.pgbouncer.replicas,
            "maxClientConnPerPod": tuning.pgbouncer.max_client_conn,
            "metadataPoolSizePerPod": tuning.pgbouncer.metadata_pool_size,
            "resultBackendPoolSizePerPod": tuning.pgbouncer.result_backend_pool_size,
        }
    return {
        "peakRunningTasks": cfg.workload.deployment_peak,
        "totalTaskSlots": tuning.total_task_slots,
        "slotsPerExecutor": executors,
        "parallelism": {
            "perScheduler": tuning.parallelism,
            "schedulers": cfg.scheduler.replicas,
            "total": tuning.parallelism * cfg.scheduler.replicas,
            # What the schedulers can still run while one of them is down (a rollout, a lost node).
            "withOneSchedulerDown": tuning.parallelism * max(1, cfg.scheduler.replicas - 1),
        },
        "deferred": {"peakDeferredTasks": cfg.workload.peak_deferred_tasks, **triggerer_capacity(cfg)},
        "defaultPoolSlots": tuning.default_pool_task_slot_count,
        "perDag": {"maxActiveTasks": tuning.max_active_tasks_per_dag, "maxActiveRuns": tuning.max_active_runs_per_dag},
        "connections": {
            "sqlAlchemyPoolPerProcess": {
                "poolSize": tuning.sql_alchemy_pool_size,
                "maxOverflow": tuning.sql_alchemy_max_overflow,
            },
            "perComponent": {
                name: {"pods": c.pods, "perPod": c.per_pod, "total": c.total} for name, c in budget.items()
            },
            "clientTotal": clients,
            "pgbouncer": pgbouncer,
        },
        "database": {
            "maxConnections": limit.max_connections,
            "source": limit.source,
            "reserved": limit.reserved,
            "available": limit.available,
            "used": used,
            "headroom": None if limit.available is None else limit.available - used,
        },
        "broker": _broker(cfg),
    }


def _broker(cfg: StackConfig) -> dict[str, Any] | None:
    """Celery's connections to an Amazon MQ broker against what its nodes accept; None for Redis."""
    connections = rabbitmq_connections(cfg)
    if connections is None or cfg.rabbitmq is None:
        return None
    return {
        "instanceType": cfg.rabbitmq.instance_type,
        "connections": connections.total,
        "limit": connections.limit,  # None: an instance type without a published figure in the kit
        "nodesCounted": connections.nodes_counted,
    }


def _queues(cfg: StackConfig, tuning: Tuning) -> dict[str, Any]:
    peaks = {DEFAULT_QUEUE: cfg.workload.peak_running_tasks} | {
        q.name: q.peak_running_tasks for q in cfg.workload.queues
    }
    default = QueueTuning(
        DEFAULT_QUEUE, tuning.worker_concurrency or 0, tuning.max_celery_workers or 0, tuning.min_celery_workers
    )
    return {
        queue.name: {
            "peakRunningTasks": peaks[queue.name],
            "workers": queue.max_workers,
            "minWorkers": queue.min_workers if queue.min_workers is not None else queue.max_workers,
            "workerConcurrency": queue.worker_concurrency,
            "slots": queue.slots,
        }
        for queue in (default, *tuning.queues)
    }


def triggerer_capacity(cfg: StackConfig) -> dict[str, int]:
    """Deferred tasks the triggerers hold at once: all of them, and with one down (a rollout, a lost node)."""
    replicas, capacity = cfg.triggerer.replicas, cfg.triggerer.capacity
    return {
        "triggerers": replicas,
        "capacityPerTriggerer": capacity,
        "total": replicas * capacity,
        "withOneTriggererDown": max(1, replicas - 1) * capacity,
    }


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def capacity_summary(report: dict[str, Any]) -> list[str]:
    """A few lines for the plan's text output."""
    parallelism, per_dag = report["parallelism"], report["perDag"]
    schedulers = _count(parallelism["schedulers"], "scheduler")
    headline = (
        f"task slots: {report['totalTaskSlots']} for a peak of {report['peakRunningTasks']} "
        f"(parallelism {parallelism['perScheduler']} × {schedulers} = {parallelism['total']}, "
        f"{parallelism['withOneSchedulerDown']} with one scheduler down; default pool {report['defaultPoolSlots']}, "
        f"per DAG {per_dag['maxActiveTasks']} tasks / {per_dag['maxActiveRuns']} runs)"
    )
    lines = [headline]
    for executor, slots in report["slotsPerExecutor"].items():
        if executor == CELERY:
            for queue, sized in slots.get("queues", {None: slots}).items():
                workers = _count(sized["workers"], "worker")
                if slots["autoscaled"]:
                    workers = f"{sized['minWorkers']}–{sized['workers']} workers (KEDA)"
                line = f"{executor}: {workers} × concurrency {sized['workerConcurrency']} = {sized['slots']} slots"
                if queue is not None:
                    line = line.replace(": ", f" queue {queue}: ", 1) + f" for a peak of {sized['peakRunningTasks']}"
                lines.append(line)
        elif executor == LOCAL:
            schedulers = _count(slots["schedulers"], "scheduler")
            lines.append(
                f"{executor}: {slots['tasksPerScheduler']} tasks in each of {schedulers}, "
                f"{slots['slots']} slots with one scheduler down"
            )
        else:
            per_loop = slots["podsCreatedPerSchedulerLoop"]
            lines.append(f"{executor}: {slots['slots']} task pods, {per_loop} created per scheduler loop")
    deferred = report["deferred"]
    lines.append(
        f"deferred tasks: {deferred['withOneTriggererDown']} with one triggerer down, {deferred['total']} in all "
        f"(capacity {deferred['capacityPerTriggerer']} × {_count(deferred['triggerers'], 'triggerer')}) for a peak "
        f"of {deferred['peakDeferredTasks']}"
    )
    connections = report["connections"]
    pool = connections["sqlAlchemyPoolPerProcess"]
    shares = ", ".join(f"{name} {c['total']}" for name, c in connections["perComponent"].items())
    lines.append(
        f"connections: {connections['clientTotal']} at most ({shares}; "
        f"SQLAlchemy pool {pool['poolSize']} + {pool['maxOverflow']} per process)"
    )
    bouncer = connections["pgbouncer"]
    if bouncer is not None:
        result = bouncer["resultBackendPoolSizePerPod"]
        pools = f"{bouncer['metadataPoolSizePerPod']}" + (f" + {result}" if result is not None else "")
        lines.append(
            f"pgbouncer: {_count(bouncer['replicas'], 'pod')}, "
            f"max {bouncer['maxClientConnPerPod']} clients and {pools} server connections each"
        )
    broker = report.get("broker")
    if broker is not None:
        limit = "an unknown number" if broker["limit"] is None else broker["limit"]
        lines.append(
            f"broker: {broker['connections']} Celery connections, {broker['instanceType']} accepts {limit} "
            f"on {_count(broker['nodesCounted'], 'node')}"
        )
    database = report["database"]
    if database["maxConnections"] is None:
        lines.append(f"database: max_connections unknown ({database['source']})")
    else:
        lines.append(
            f"database: {database['used']} of {database['available']} usable connections, "
            f"headroom {database['headroom']} (max_connections {database['maxConnections']} "
            f"from {database['source']}, {database['reserved']} reserved)"
        )
    return lines
