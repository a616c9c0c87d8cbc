"""Derive every concurrency cap from the workload a stack declares (pure).

The chain: the peak sets the worker slots (Celery workers × concurrency, the KubernetesExecutor
pod budget, or, with the LocalExecutor, the tasks the scheduler pods hold); the slots set
``[core] parallelism`` per scheduler and the default pool; the processes that may connect set
the SQLAlchemy and PgBouncer pools. Each value a stack sets in
config (``tuning.*``, ``celery.workers.*``, ``kubernetesExecutor.*``, ``pgbouncer.*``,
``dagProcessor.parsingProcesses``) replaces its derived value; ``checks.py`` judges both alike.

With both executors, Celery (the default executor) is sized to carry the whole peak and the
KubernetesExecutor gets its own pod budget on top: tasks may go to either.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..config.base import Resources
from ..config.model import StackConfig
from ..config.quantities import cpu_cores, memory_bytes
from ..config.sections.workload import QueueSection
from .connection_budget import QueueWorkers, airflow_processes, component_connections, database_limit
from .model import PgbouncerPools, QueueTuning, Tuning

MIB = 2**20
# A Celery worker's own main process (Airflow imported, Celery's consumer) before any task runs.
WORKER_PROCESS_MEMORY_BYTES = 512 * MIB
# A scheduler's own process (its loop, the LocalExecutor's parent, the log server) before any task runs.
SCHEDULER_PROCESS_MEMORY_BYTES = 512 * MIB
# Warm workers KEDA keeps in prod: one per zone of a two-zone spread survives a node loss.
PROD_MIN_WORKERS = 2
# A burst that fills the pod budget is launched within this many scheduler loops...
POD_LAUNCH_LOOPS = 4
# ...without hammering the Kubernetes API server with more pod creations per loop than this.
MAX_POD_CREATION_BATCH = 32
# Airflow's own pool defaults, kept whenever the database can afford them.
AIRFLOW_POOL_SIZE = 5
AIRFLOW_MAX_OVERFLOW = 10
# PgBouncer in transaction mode: a client holds a server connection only inside a transaction.
CLIENTS_PER_SERVER_CONNECTION = 4
CHART_METADATA_POOL_SIZE = 10
CHART_RESULT_BACKEND_POOL_SIZE = 5
# Room in max_client_conn for pods that overlap during a rolling update.
CLIENT_HEADROOM = 1.25


@dataclass(frozen=True)
class TaskFit:
    """How many tasks of ``workload.taskResources`` one Celery worker holds, by CPU and by memory.

    CPU counts requests (it is throttled, never fatal). Memory counts limits where set: a
    worker pod is killed at its limit, and each task may grow to its own.
    """

    by_cpu: int
    by_memory: int

    @property
    def tasks(self) -> int:
        return min(self.by_cpu, self.by_memory)


def task_fit(cfg: StackConfig) -> TaskFit:
    """How many default-queue tasks one default worker holds."""
    return resources_fit(cfg.celery.workers.resources, cfg.workload.task_resources)


def queue_worker_resources(cfg: StackConfig, queue: QueueSection) -> Resources:
    return queue.worker_resources or cfg.celery.workers.resources


def queue_task_fit(cfg: StackConfig, queue: QueueSection) -> TaskFit:
    return resources_fit(queue_worker_resources(cfg, queue), queue.task_resources)


def scheduler_task_fit(cfg: StackConfig) -> TaskFit:
    """Tasks one scheduler pod holds beside its own process, where the LocalExecutor runs them."""
    return resources_fit(cfg.scheduler.resources, cfg.workload.task_resources, SCHEDULER_PROCESS_MEMORY_BYTES)


def resources_fit(worker: Resources, task: Resources, reserved_memory: int = WORKER_PROCESS_MEMORY_BYTES) -> TaskFit:
    """Tasks of ``task`` size one pod of ``worker`` size holds, less ``reserved_memory`` for its own process."""
    worker_memory = memory_bytes((worker.limits or worker.requests).memory) - reserved_memory
    task_memory = memory_bytes((task.limits or task.requests).memory)
    return TaskFit(
        by_cpu=_millicores(worker.requests.cpu) // _millicores(task.requests.cpu),
        by_memory=max(0, worker_memory // task_memory),
    )


def _millicores(cpu: str) -> int:
    """Whole millicores, so that 300m ÷ 100m is 3 and not 2.999…"""
    return round(cpu_cores(cpu) * 1000)


# Every section derive_tuning reads: a rule cannot judge a stack whose derivation lacks one.
DERIVATION_SECTIONS: tuple[str, ...] = (
    "tier",
    "executor",
    "workload",
    "tuning",
    "scheduler",
    "api_server",
    "triggerer",
    "dag_processor",
    "celery",
    "kubernetes_executor",
    "pgbouncer",
    "database",
)


def derive_tuning(cfg: StackConfig) -> Tuning:
    peak = cfg.workload.peak_running_tasks
    workers = cfg.celery.workers

    concurrency = celery_workers = keda_min = None
    queues: tuple[QueueTuning, ...] = ()
    if cfg.uses_celery:
        concurrency = workers.concurrency or max(1, task_fit(cfg).tasks)
        celery_workers = workers.max_replicas or math.ceil(peak / concurrency)
        if workers.keda:
            floor = min(celery_workers, _keda_floor(cfg))
            keda_min = workers.min_replicas if workers.min_replicas is not None else floor
        queues = tuple(_queue_tuning(cfg, queue) for queue in cfg.workload.queues)

    task_pods = batch_size = None
    if cfg.uses_kubernetes_executor:
        task_pods = cfg.kubernetes_executor.max_task_pods or peak
        batch_size = cfg.kubernetes_executor.worker_pods_creation_batch_size or min(
            MAX_POD_CREATION_BATCH, math.ceil(task_pods / cfg.scheduler.replicas / POD_LAUNCH_LOOPS)
        )

    local_slots = None
    if cfg.uses_local_executor:
        # Each scheduler runs up to `parallelism` tasks itself; the slots are what the schedulers
        # hold with one of them down, so a rollout or a lost node does not cut below the peak.
        per_scheduler = cfg.tuning.parallelism or max(1, scheduler_task_fit(cfg).tasks)
        local_slots = per_scheduler * max(1, cfg.scheduler.replicas - 1)

    queue_workers = tuple(QueueWorkers(queue.name, queue.max_workers, queue.worker_concurrency) for queue in queues)
    slots = (celery_workers or 0) * (concurrency or 0) + sum(queue.slots for queue in queues) + (task_pods or 0)
    slots += local_slots or 0
    pool_size, max_overflow = _sqlalchemy_pool(cfg, celery_workers, concurrency, task_pods, queue_workers)
    pgbouncer = _pgbouncer_pools(cfg, pool_size, max_overflow, celery_workers, concurrency, task_pods, queue_workers)
    return Tuning(
        parallelism=cfg.tuning.parallelism or math.ceil(slots / max(1, cfg.scheduler.replicas - 1)),
        max_active_tasks_per_dag=cfg.workload.max_active_tasks_per_dag,
        max_active_runs_per_dag=cfg.workload.max_active_runs_per_dag,
        default_pool_task_slot_count=cfg.tuning.default_pool_task_slot_count or slots,
        parsing_processes=cfg.dag_processor.parsing_processes
        or parsing_processes_for(cfg.dag_processor.resources.requests.cpu),
        sql_alchemy_pool_size=pool_size,
        sql_alchemy_max_overflow=max_overflow,
        worker_concurrency=concurrency,
        min_celery_workers=keda_min,
        max_celery_workers=celery_workers,
        worker_pods_creation_batch_size=batch_size,
        kubernetes_task_pods=task_pods,
        local_task_slots=local_slots,
        pgbouncer=pgbouncer,
        queues=queues,
    )


def _keda_floor(cfg: StackConfig) -> int:
    return PROD_MIN_WORKERS if cfg.tier == "prod" else 1


def _queue_tuning(cfg: StackConfig, queue: QueueSection) -> QueueTuning:
    """A queue's workers, derived as the default queue's: as many tasks per worker as fit, enough
    workers for the queue's peak, and KEDA's warm floor."""
    concurrency = max(1, queue_task_fit(cfg, queue).tasks)
    workers = math.ceil(queue.peak_running_tasks / concurrency)
    minimum = min(workers, _keda_floor(cfg)) if cfg.celery.workers.keda else None
    return QueueTuning(queue.name, concurrency, workers, minimum)


def parsing_processes_for(cpu: str) -> int:
    """One parsing process per whole core the dag-processor requests (parsing is CPU-bound), at least one."""
    return max(1, math.floor(cpu_cores(cpu)))


def _sqlalchemy_pool(
    cfg: StackConfig,
    celery_workers: int | None,
    concurrency: int | None,
    task_pods: int | None,
    queue_workers: tuple[QueueWorkers, ...],
) -> tuple[int, int]:
    """Airflow's 5 + 10 per process, unless direct connections to the database cannot afford it.

    Without PgBouncer every process connects to PostgreSQL itself: the connections left after
    the Celery result backend and KEDA are shared among the Airflow processes.
    """
    pool_size, max_overflow = AIRFLOW_POOL_SIZE, AIRFLOW_MAX_OVERFLOW
    available = database_limit(cfg).available
    if not cfg.pgbouncer.enabled and available is not None:
        fixed = sum(
            c.total
            for c in component_connections(
                cfg,
                pool_size=0,
                max_overflow=0,
                celery_workers=celery_workers,
                worker_concurrency=concurrency,
                task_pods=task_pods,
                queue_workers=queue_workers,
            ).values()
        )
        per_process = max(1, min(pool_size + max_overflow, (available - fixed) // airflow_processes(cfg)))
        pool_size = min(pool_size, per_process)
        max_overflow = per_process - pool_size
    overrides = cfg.tuning
    return (
        overrides.sql_alchemy_pool_size if overrides.sql_alchemy_pool_size is not None else pool_size,
        overrides.sql_alchemy_max_overflow if overrides.sql_alchemy_max_overflow is not None else max_overflow,
    )


def _pgbouncer_pools(
    cfg: StackConfig,
    pool_size: int,
    max_overflow: int,
    celery_workers: int | None,
    concurrency: int | None,
    task_pods: int | None,
    queue_workers: tuple[QueueWorkers, ...],
) -> PgbouncerPools | None:
    """PgBouncer's client limit and server pools per pod; None with PgBouncer off.

    Every pod must accept all clients when one of its peers is down, hence the division by the
    survivors. Server pools start at the chart's defaults and grow with the clients they serve.
    """
    bouncer = cfg.pgbouncer
    if not bouncer.enabled:
        return None
    budget = component_connections(
        cfg,
        pool_size=pool_size,
        max_overflow=max_overflow,
        celery_workers=celery_workers,
        worker_concurrency=concurrency,
        task_pods=task_pods,
        queue_workers=queue_workers,
    ).values()
    metadata_clients = sum(c.total for c in budget if not c.result_backend)
    result_clients = sum(c.total for c in budget if c.result_backend)
    survivors = max(1, bouncer.replicas - 1)
    client_conn = bouncer.max_client_conn or math.ceil(
        (metadata_clients + result_clients) * CLIENT_HEADROOM / survivors
    )
    metadata_pool = bouncer.metadata_pool_size or max(
        CHART_METADATA_POOL_SIZE, math.ceil(metadata_clients / CLIENTS_PER_SERVER_CONNECTION / bouncer.replicas)
    )
    result_pool = None
    if cfg.uses_celery:
        result_pool = bouncer.result_backend_pool_size or max(
            CHART_RESULT_BACKEND_POOL_SIZE, math.ceil(result_clients / CLIENTS_PER_SERVER_CONNECTION / bouncer.replicas)
        )
    return PgbouncerPools(client_conn, metadata_pool, result_pool)
