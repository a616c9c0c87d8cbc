"""Who opens metadata-database connections, how many at most, and how many the database takes.

Per component, at most:

- each scheduler, dag-processor and triggerer pod, and each api-server worker process, holds one
  SQLAlchemy pool: ``sql_alchemy_pool_size + sql_alchemy_max_overflow``. DAG parsing processes
  and triggers do not connect: in Airflow 3 they reach the database through their parent.
- with Celery, each scheduler also reads task states from the ``db+`` result backend (one
  short-lived connection), and each worker writes results from every pool process plus its
  main process: ``worker_concurrency + 1``; so does each worker of every queue's worker set,
  with its own concurrency.
- KEDA's PostgreSQL scaler of each worker set polls the metadata database (one connection each).
- KubernetesExecutor task pods open none: Airflow 3 tasks talk to the api-server's Execution
  API, which holds the connections (``airflow.sdk.execution_time.execute_workload``).
- Airflow 3.2 also gives each process an async engine (``sql_alchemy_conn_async``) with a pool
  of the same size. It opens connections only when used, and in 3.2 only api-server endpoints
  (the dag-run wait API) and multi-team mode use it, so each api-server worker process counts
  twice (``API_SERVER_POOLS_PER_PROCESS``); the scheduler's, dag-processor's and triggerer's stay empty.

Without PgBouncer all of them reach PostgreSQL. With PgBouncer they are PgBouncer's clients,
and PostgreSQL only sees PgBouncer's server pools: ``(metadata + result backend pool) × replicas``.

PostgreSQL keeps ``superuser_reserved_connections`` (3) for superusers; RDS adds
``rds.rds_superuser_reserved_connections`` (2). The kit further keeps 10 % (at least 5) for
maintenance: the migration Job, an operator's psql, monitoring, and the surge pods of a
rolling update.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from ..config.model import StackConfig
from .model import Tuning
from .rds_instances import rds_default_max_connections

# The local tier's in-cluster PostgreSQL (components/kubernetes/local_database.py) runs with PostgreSQL's default.
IN_CLUSTER_POSTGRES_MAX_CONNECTIONS = 100
POSTGRES_SUPERUSER_RESERVED = 3
RDS_SUPERUSER_RESERVED = 2
MAINTENANCE_SHARE = 0.10
MAINTENANCE_MINIMUM = 5


@dataclass(frozen=True)
class DatabaseLimit:
    max_connections: int | None  # None: an instance class the kit cannot size
    source: str  # where max_connections comes from, for messages and the report
    reserved: int  # superuser slots plus the kit's maintenance headroom

    @property
    def available(self) -> int | None:
        """Connections Airflow (or PgBouncer) may open."""
        return None if self.max_connections is None else self.max_connections - self.reserved


def database_limit(cfg: StackConfig) -> DatabaseLimit:
    db = cfg.database
    limit: int | None
    if db is None:
        limit, source, superuser = (
            IN_CLUSTER_POSTGRES_MAX_CONNECTIONS,
            "PostgreSQL's default, for the local tier's in-cluster database",
            POSTGRES_SUPERUSER_RESERVED,
        )
    elif db.max_connections is not None:
        limit, source = db.max_connections, "database.maxConnections"
        superuser = POSTGRES_SUPERUSER_RESERVED + RDS_SUPERUSER_RESERVED
    else:
        limit = rds_default_max_connections(db.instance_class)
        source = f"RDS's default for database.instanceClass {db.instance_class}"
        superuser = POSTGRES_SUPERUSER_RESERVED + RDS_SUPERUSER_RESERVED
    if limit is None:
        return DatabaseLimit(None, source, superuser)
    return DatabaseLimit(limit, source, superuser + maintenance_reserve(limit))


def maintenance_reserve(max_connections: int) -> int:
    return max(MAINTENANCE_MINIMUM, math.ceil(max_connections * MAINTENANCE_SHARE))


@dataclass(frozen=True)
class ComponentConnections:
    """``pods × per_pod`` connections at most; ``result_backend`` says which PgBouncer pool serves them."""

    pods: int
    per_pod: int
    result_backend: bool = False

    @property
    def total(self) -> int:
        return self.pods * self.per_pod


# Each api-server worker process holds its sync pool and, when its async endpoints are used,
# an async pool of the same size.
API_SERVER_POOLS_PER_PROCESS = 2


def airflow_processes(cfg: StackConfig) -> int:
    """SQLAlchemy pools the Airflow processes hold (an api-server worker holds two)."""
    return (
        cfg.scheduler.replicas
        + cfg.dag_processor.replicas
        + cfg.triggerer.replicas
        + cfg.api_server.replicas * cfg.api_server.workers * API_SERVER_POOLS_PER_PROCESS
    )


@dataclass(frozen=True)
class QueueWorkers:
    """The most workers of one queue's worker set, and the tasks each runs."""

    queue: str
    workers: int
    concurrency: int


def component_connections(
    cfg: StackConfig,
    *,
    pool_size: int,
    max_overflow: int,
    celery_workers: int | None,
    worker_concurrency: int | None,
    task_pods: int | None,
    queue_workers: Sequence[QueueWorkers] = (),
) -> dict[str, ComponentConnections]:
    """The most connections each component may open, keyed by the chart's component names."""
    pool = pool_size + max_overflow
    budget = {
        "scheduler": ComponentConnections(cfg.scheduler.replicas, pool),
        "dagProcessor": ComponentConnections(cfg.dag_processor.replicas, pool),
        "triggerer": ComponentConnections(cfg.triggerer.replicas, pool),
        "apiServer": ComponentConnections(
            cfg.api_server.replicas, cfg.api_server.workers * API_SERVER_POOLS_PER_PROCESS * pool
        ),
    }
    if cfg.uses_celery and celery_workers is not None and worker_concurrency is not None:
        budget["schedulerResultBackend"] = ComponentConnections(cfg.scheduler.replicas, 1, result_backend=True)
        budget["celeryWorkers"] = ComponentConnections(celery_workers, worker_concurrency + 1, result_backend=True)
        for queue in queue_workers:
            budget[f"celeryWorkers.{queue.queue}"] = ComponentConnections(
                queue.workers, queue.concurrency + 1, result_backend=True
            )
        if cfg.celery.workers.keda:
            # One PostgreSQL scaler per worker set (ScaledObject), each polling on its own connection.
            budget["keda"] = ComponentConnections(1 + len(queue_workers), 1)
    if cfg.uses_kubernetes_executor and task_pods is not None:
        budget["kubernetesTaskPods"] = ComponentConnections(task_pods, 0)
    return budget


def tuning_connections(cfg: StackConfig, tuning: Tuning) -> dict[str, ComponentConnections]:
    """The connection budget of a stack under its (derived or overridden) settings."""
    return component_connections(
        cfg,
        pool_size=tuning.sql_alchemy_pool_size,
        max_overflow=tuning.sql_alchemy_max_overflow,
        celery_workers=tuning.max_celery_workers,
        worker_concurrency=tuning.worker_concurrency,
        task_pods=tuning.kubernetes_task_pods,
        queue_workers=[QueueWorkers(q.name, q.max_workers, q.worker_concurrency) for q in tuning.queues],
    )


def server_connections(cfg: StackConfig, tuning: Tuning) -> int:
    """Connections PostgreSQL itself sees: Airflow's own, or PgBouncer's server pools."""
    if tuning.pgbouncer is None:
        return sum(c.total for c in tuning_connections(cfg, tuning).values())
    return tuning.pgbouncer.server_connections * cfg.pgbouncer.replicas
