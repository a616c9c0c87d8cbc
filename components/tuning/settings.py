"""The derived settings every consumer reads: the Airflow config and the chart values."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Tuning:
    """Every setting that caps concurrency, derived from the workload or overridden in config.

    Fields that do not apply to the stack's executor are ``None``.
    """

    parallelism: int  # [core] parallelism, per scheduler
    max_active_tasks_per_dag: int  # [core]
    max_active_runs_per_dag: int  # [core]
    default_pool_task_slot_count: int  # [core]
    parsing_processes: int  # [dag_processor]
    sql_alchemy_pool_size: int  # [database]
    sql_alchemy_max_overflow: int  # [database]
    worker_concurrency: int | None  # [celery]; workers.celery.keda divides by it
    keda_min_replicas: int | None  # workers.celery.keda.minReplicaCount (None when KEDA is off)
    keda_max_replicas: int | None  # workers.celery.keda.maxReplicaCount; without KEDA, workers.celery.replicas
    worker_pods_creation_batch_size: int | None  # [kubernetes_executor]
    kubernetes_task_pods: int | None  # the KubernetesExecutor's task-pod budget (its slots)
    pgbouncer_max_client_conn: int | None  # pgbouncer.maxClientConn
    pgbouncer_metadata_pool_size: int | None  # pgbouncer.metadataPoolSize
    pgbouncer_result_backend_pool_size: int | None  # pgbouncer.resultBackendPoolSize

    @property
    def celery_slots(self) -> int:
        if self.keda_max_replicas is None or self.worker_concurrency is None:
            return 0
        return self.keda_max_replicas * self.worker_concurrency

    @property
    def total_task_slots(self) -> int:
        """Tasks the workers can run at once across the deployment."""
        return self.celery_slots + (self.kubernetes_task_pods or 0)
