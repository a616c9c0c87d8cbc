"""The derived settings every consumer reads: the Airflow config and the chart values."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PgbouncerPools:
    """PgBouncer's limits per pod (the chart's ``pgbouncer.*`` names)."""

    max_client_conn: int  # pgbouncer.maxClientConn
    metadata_pool_size: int  # pgbouncer.metadataPoolSize
    result_backend_pool_size: int | None  # pgbouncer.resultBackendPoolSize; None without Celery

    @property
    def server_connections(self) -> int:
        """Server connections one PgBouncer pod may open to the database."""
        return self.metadata_pool_size + (self.result_backend_pool_size or 0)


@dataclass(frozen=True)
class QueueTuning:
    """The worker set of one queue from ``workload.queues``, derived like the default workers."""

    name: str
    worker_concurrency: int  # AIRFLOW__CELERY__WORKER_CONCURRENCY of its workers; its KEDA query divides by it
    max_workers: int  # KEDA's maxReplicaCount, or the fixed replica count without KEDA
    min_workers: int | None  # KEDA's minReplicaCount; None when KEDA is off

    @property
    def slots(self) -> int:
        return self.max_workers * self.worker_concurrency


@dataclass(frozen=True)
class Tuning:
    """Every setting that caps concurrency, derived from the workload or overridden in config.

    Fields that do not apply to the stack (its executor, PgBouncer off) are ``None``.
    """

    parallelism: int  # [core] parallelism, per scheduler
    max_active_tasks_per_dag: int  # [core]
    max_active_runs_per_dag: int  # [core]
    default_pool_task_slot_count: int  # [core]
    parsing_processes: int  # [dag_processor]
    sql_alchemy_pool_size: int  # [database]
    sql_alchemy_max_overflow: int  # [database]
    worker_concurrency: int | None  # [celery]; workers.celery.keda divides by it
    # The most Celery workers: KEDA's maxReplicaCount, or the fixed replica count without KEDA.
    max_celery_workers: int | None
    min_celery_workers: int | None  # KEDA's minReplicaCount; None when KEDA is off
    worker_pods_creation_batch_size: int | None  # [kubernetes_executor]
    kubernetes_task_pods: int | None  # the KubernetesExecutor's task-pod budget (its slots)
    local_task_slots: int | None  # LocalExecutor: parallelism × the schedulers left with one down
    pgbouncer: PgbouncerPools | None
    # The worker sets of the other queues; the fields above describe the default queue's workers.
    queues: tuple[QueueTuning, ...] = ()

    @property
    def default_queue_slots(self) -> int:
        if self.max_celery_workers is None or self.worker_concurrency is None:
            return 0
        return self.max_celery_workers * self.worker_concurrency

    @property
    def celery_slots(self) -> int:
        """Celery slots across every queue's workers."""
        return self.default_queue_slots + sum(queue.slots for queue in self.queues)

    @property
    def total_task_slots(self) -> int:
        """Tasks the workers can run at once across the deployment."""
        return self.celery_slots + (self.kubernetes_task_pods or 0) + (self.local_task_slots or 0)
