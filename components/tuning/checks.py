"""Capacity checks: can the settings (derived or overridden) carry the workload the stack declares?

They run with the config rules and are reported the same way: each problem sits at one key and
its message names the other keys involved and the numbers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from ..config.base import Resources
from ..config.errors import Problem
from ..config.model import StackConfig
from ..config.rule import Rule, rule
from ..config.sections.aws import DatabaseSection
from .capacity import triggerer_capacity
from .connection_budget import DatabaseLimit, database_limit, server_connections, tuning_connections
from .derive import (
    DERIVATION_SECTIONS,
    WORKER_PROCESS_MEMORY_BYTES,
    TaskFit,
    derive_tuning,
    queue_task_fit,
    queue_worker_resources,
    task_fit,
)
from .drain import RABBITMQ_CONSUMER_TIMEOUT_SECONDS, TASK_WRAP_UP_SECONDS, drain_seconds
from .rds_instances import INSTANCE_MEMORY_GIB, rds_default_max_connections


@rule(*DERIVATION_SECTIONS)
def tasks_fit_celery_workers(cfg: StackConfig, _explicit: frozenset[str]) -> Iterator[Problem]:
    if not cfg.uses_celery:
        return
    fit = task_fit(cfg)
    worker, task = cfg.celery.workers.resources, cfg.workload.task_resources
    task_memory = (task.limits or task.requests).memory
    worker_memory = (worker.limits or worker.requests).memory
    yield from _task_fits_worker(fit, task, worker, "workload.taskResources", "celery.workers.resources")
    for index, queue in enumerate(cfg.workload.queues):
        worker_key = (
            f"workload.queues[{index}].workerResources" if queue.worker_resources else "celery.workers.resources"
        )
        yield from _task_fits_worker(
            queue_task_fit(cfg, queue),
            queue.task_resources,
            queue_worker_resources(cfg, queue),
            f"workload.queues[{index}].taskResources",
            worker_key,
        )
    concurrency = cfg.celery.workers.concurrency
    if concurrency is not None and fit.by_memory >= 1 and concurrency > fit.by_memory:
        yield Problem(
            "celery.workers.concurrency",
            f"{concurrency} tasks of up to {task_memory} (workload.taskResources) do not fit a worker of "
            f"{worker_memory} (celery.workers.resources, less {WORKER_PROCESS_MEMORY_BYTES // 2**20}Mi for the "
            f"worker process): at most {fit.by_memory} do, or the worker is killed for memory",
        )


def _task_fits_worker(
    fit: TaskFit, task: Resources, worker: Resources, task_key: str, worker_key: str
) -> Iterator[Problem]:
    task_memory = (task.limits or task.requests).memory
    worker_memory = (worker.limits or worker.requests).memory
    if fit.by_cpu < 1:
        yield Problem(
            f"{task_key}.requests.cpu",
            f"one task requests {task.requests.cpu} CPU, more than a whole Celery worker "
            f"({worker_key}.requests.cpu {worker.requests.cpu}); make the workers bigger or the tasks smaller",
        )
    if fit.by_memory < 1:
        yield Problem(
            task_key,
            f"one task may use {task_memory} of memory, more than a Celery worker holds "
            f"({worker_key} memory {worker_memory} less {WORKER_PROCESS_MEMORY_BYTES // 2**20}Mi "
            "for the worker process); make the workers bigger or the tasks smaller",
        )


@rule(*DERIVATION_SECTIONS)
def worker_slots_carry_the_peak(cfg: StackConfig, _explicit: frozenset[str]) -> Iterator[Problem]:
    if cfg.uses_local_executor:
        return  # no workers: local_executor.py judges the schedulers
    tuning = derive_tuning(cfg)
    peak = cfg.workload.peak_running_tasks
    # Each other queue's workers are derived from its own peak; these carry the default queue's.
    slots = tuning.default_queue_slots + (tuning.kubernetes_task_pods or 0)
    if slots >= peak:
        return
    parts = []
    if cfg.uses_celery:
        bound = (
            "celery.workers.maxReplicas" if cfg.celery.workers.keda else "celery.workers.maxReplicas (fixed workers)"
        )
        parts.append(
            f"{bound} {tuning.max_celery_workers} × celery.workers.concurrency {tuning.worker_concurrency} "
            f"= {tuning.default_queue_slots}"
        )
    if cfg.uses_kubernetes_executor:
        parts.append(f"kubernetesExecutor.maxTaskPods {tuning.kubernetes_task_pods}")
    key = "kubernetesExecutor.maxTaskPods" if not cfg.uses_celery else "celery.workers.maxReplicas"
    yield Problem(
        key,
        f"the workers carry {slots} tasks at once ({' + '.join(parts)}), fewer than workload.peakRunningTasks {peak}",
    )


@rule(*DERIVATION_SECTIONS)
def keda_minimum_within_maximum(cfg: StackConfig, _explicit: frozenset[str]) -> Iterator[Problem]:
    if cfg.celery.workers.max_replicas is not None:
        return  # both explicit: the config rule worker_bounds_ordered judges them
    tuning = derive_tuning(cfg)
    if (
        tuning.min_celery_workers is not None
        and tuning.max_celery_workers is not None
        and tuning.min_celery_workers > tuning.max_celery_workers
    ):
        yield Problem(
            "celery.workers.minReplicas",
            f"{tuning.min_celery_workers} is above the {tuning.max_celery_workers} workers KEDA may run "
            "(celery.workers.maxReplicas, derived from workload.peakRunningTasks when unset)",
        )


@rule(*DERIVATION_SECTIONS)
def scheduling_carries_the_peak(cfg: StackConfig, _explicit: frozenset[str]) -> Iterator[Problem]:
    tuning = derive_tuning(cfg)
    peak = cfg.workload.deployment_peak
    schedulers = cfg.scheduler.replicas
    total = tuning.parallelism * schedulers
    # Derived from the worker slots, these fall short only when the slots do: that problem says why.
    if cfg.tuning.parallelism is not None and total < peak:
        yield Problem(
            "tuning.parallelism",
            f"{tuning.parallelism} per scheduler × scheduler.replicas {schedulers} = {total} running tasks at most, "
            f"fewer than the {_peak_keys(cfg)} {peak}",
        )
    if cfg.tuning.default_pool_task_slot_count is not None and tuning.default_pool_task_slot_count < peak:
        yield Problem(
            "tuning.defaultPoolTaskSlotCount",
            f"the default pool's {tuning.default_pool_task_slot_count} slots cap the deployment below "
            f"the {_peak_keys(cfg)} {peak}",
        )


def _peak_keys(cfg: StackConfig) -> str:
    if not cfg.workload.queues:
        return "workload.peakRunningTasks"
    return "workload.peakRunningTasks plus each workload.queues[].peakRunningTasks"


@rule(*DERIVATION_SECTIONS)
def per_dag_limits_within_parallelism(cfg: StackConfig, _explicit: frozenset[str]) -> Iterator[Problem]:
    tuning = derive_tuning(cfg)
    schedulers = cfg.scheduler.replicas
    total = tuning.parallelism * schedulers
    deployment = (
        f"the deployment's total parallelism {total} "
        f"(tuning.parallelism {tuning.parallelism} × scheduler.replicas {schedulers})"
    )
    for key, value in (
        ("workload.maxActiveTasksPerDag", tuning.max_active_tasks_per_dag),
        ("workload.maxActiveRunsPerDag", tuning.max_active_runs_per_dag),
    ):
        if value > total:
            yield Problem(key, f"{value} exceeds {deployment}: one DAG could never reach it")
    if tuning.max_active_tasks_per_dag > tuning.default_pool_task_slot_count:
        yield Problem(
            "workload.maxActiveTasksPerDag",
            f"{tuning.max_active_tasks_per_dag} exceeds the default pool's "
            f"{tuning.default_pool_task_slot_count} slots (tuning.defaultPoolTaskSlotCount)",
        )


@rule(*DERIVATION_SECTIONS)
def database_holds_the_connections(cfg: StackConfig, explicit: frozenset[str]) -> Iterator[Problem]:
    limit = database_limit(cfg)
    available = limit.available
    if available is None:
        instance_class = cfg.database.instance_class if cfg.database is not None else "the instance class"
        yield Problem(
            "database.instanceClass",
            f"{instance_class} is not in the kit's table of RDS instance classes, so its max_connections "
            "is unknown; set database.maxConnections to the value of its parameter group (SHOW max_connections)",
        )
        return
    tuning = derive_tuning(cfg)
    if tuning.sql_alchemy_pool_size == 0:
        yield Problem(
            "tuning.sqlAlchemyPoolSize",
            "0 means no limit to SQLAlchemy, so the connections Airflow may open cannot be bounded; "
            "set a positive pool size",
        )
        return
    budget = tuning_connections(cfg, tuning)
    clients = sum(c.total for c in budget.values())
    shares = ", ".join(f"{name} {c.total}" for name, c in budget.items() if c.total)
    room = _database_room(limit)
    bouncer = tuning.pgbouncer
    if bouncer is None:
        if clients > available:
            yield Problem(
                _database_key(cfg),
                f"Airflow may open {clients} connections for workload.peakRunningTasks "
                f"{cfg.workload.peak_running_tasks} ({shares}; tuning.sqlAlchemyPoolSize {tuning.sql_alchemy_pool_size}"
                f" + tuning.sqlAlchemyMaxOverflow {tuning.sql_alchemy_max_overflow} per process, "
                f"{'as set' if _POOL_OVERRIDES & explicit else 'derived'}) but {room}. Ways out: "
                + "; ".join(["pgbouncer.enabled: true", *_ways_out(cfg, _direct_connections_fit)]),
            )
        return
    survivors = max(1, cfg.pgbouncer.replicas - 1)
    if clients > bouncer.max_client_conn * survivors:
        yield Problem(
            "pgbouncer.maxClientConn",
            f"{bouncer.max_client_conn} per pod × {survivors} pod(s) left when one of pgbouncer.replicas "
            f"{cfg.pgbouncer.replicas} is down cannot accept the {clients} clients Airflow may open ({shares})",
        )
    server = server_connections(cfg, tuning)
    if server > available:
        pools = (
            f"(pgbouncer.metadataPoolSize {bouncer.metadata_pool_size} + pgbouncer.resultBackendPoolSize "
            f"{bouncer.result_backend_pool_size or 0}) × pgbouncer.replicas {cfg.pgbouncer.replicas}"
        )
        set_pools = [key for key in _POOL_KEYS if key in explicit]
        if set_pools:
            # The stack sized the pools itself: that is where the problem is.
            yield Problem(set_pools[0], f"PgBouncer may open {server} server connections ({pools}) but {room}")
            return
        yield Problem(
            _database_key(cfg),
            f"PgBouncer needs {server} server connections ({pools}, derived) to carry workload.peakRunningTasks "
            f"{cfg.workload.peak_running_tasks} but {room}. Ways out: "
            + "; ".join(_ways_out(cfg, _pooled_connections_fit)),
        )


@rule("workload", "triggerer")
def triggerers_carry_the_deferred_peak(cfg: StackConfig, _explicit: frozenset[str]) -> Iterator[Problem]:
    """Triggers beyond capacity wait unassigned: sensors then time out and asset events arrive late."""
    peak = cfg.workload.peak_deferred_tasks
    figures = triggerer_capacity(cfg)
    if peak <= figures["withOneTriggererDown"]:
        return
    down = " with one of them down" if cfg.triggerer.replicas > 1 else ""
    yield Problem(
        "workload.peakDeferredTasks",
        f"{peak} deferred tasks exceed what the triggerers hold{down}: triggerer.capacity "
        f"{figures['capacityPerTriggerer']} × {max(1, cfg.triggerer.replicas - 1)} of triggerer.replicas "
        f"{cfg.triggerer.replicas} = {figures['withOneTriggererDown']}; raise triggerer.replicas or "
        "triggerer.capacity (and the triggerer's resources with it)",
    )


_POOL_KEYS = ("pgbouncer.metadataPoolSize", "pgbouncer.resultBackendPoolSize")
_POOL_OVERRIDES = frozenset({"tuning.sqlAlchemyPoolSize", "tuning.sqlAlchemyMaxOverflow"})


def _direct_connections_fit(cfg: StackConfig) -> bool:
    available = database_limit(cfg).available
    return (
        available is not None
        and sum(c.total for c in tuning_connections(cfg, derive_tuning(cfg)).values()) <= available
    )


def _pooled_connections_fit(cfg: StackConfig) -> bool:
    available = database_limit(cfg).available
    return available is not None and server_connections(cfg, derive_tuning(cfg)) <= available


def _ways_out(cfg: StackConfig, fits: Callable[[StackConfig], bool]) -> list[str]:
    """What the stack can set so that its connections fit: a bigger instance, or a smaller peak."""
    ways = []
    database = cfg.database
    if database is not None and database.max_connections is None:
        bigger = _smallest_instance_that_fits(cfg, database, fits)
        if bigger is not None:
            ways.append(f"database.instanceClass {bigger} (max_connections {rds_default_max_connections(bigger)})")
    peak = _largest_peak_that_fits(cfg, fits)
    if peak is not None:
        ways.append(f"workload.peakRunningTasks {peak} or fewer")
    if database is not None and database.max_connections is not None:
        ways.append("a parameter group with a higher max_connections, stated in database.maxConnections")
    return ways


def _smallest_instance_that_fits(
    cfg: StackConfig, database: DatabaseSection, fits: Callable[[StackConfig], bool]
) -> str | None:
    family = database.instance_class.rsplit(".", 1)[0]
    current = INSTANCE_MEMORY_GIB.get(database.instance_class, 0)
    larger = sorted(
        (gib, name) for name, gib in INSTANCE_MEMORY_GIB.items() if name.startswith(f"{family}.") and gib > current
    )
    for _, name in larger:
        if fits(cfg.model_copy(update={"database": database.model_copy(update={"instance_class": name})})):
            return name
    return None


def _largest_peak_that_fits(cfg: StackConfig, fits: Callable[[StackConfig], bool]) -> int | None:
    """The connections grow with the peak, so a binary search finds the largest that fits (None: not even 1)."""

    def with_peak(peak: int) -> StackConfig:
        return cfg.model_copy(update={"workload": cfg.workload.model_copy(update={"peak_running_tasks": peak})})

    low, high = 0, cfg.workload.peak_running_tasks - 1
    while low < high:
        middle = (low + high + 1) // 2
        if fits(with_peak(middle)):
            low = middle
        else:
            high = middle - 1
    return low if low >= 1 and fits(with_peak(low)) else None


def _database_key(cfg: StackConfig) -> str:
    """The key that sets the database's size: where a problem about its connections belongs."""
    if cfg.database is None:
        return "pgbouncer.enabled"
    return "database.maxConnections" if cfg.database.max_connections is not None else "database.instanceClass"


def _database_room(limit: DatabaseLimit) -> str:
    return (
        f"the database takes {limit.available} (max_connections {limit.max_connections} from {limit.source}, "
        f"less {limit.reserved} kept for superusers and maintenance)"
    )


@rule("workload", "executor", "broker")
def drain_within_cluster_limit(cfg: StackConfig, _explicit: frozenset[str]) -> Iterator[Problem]:
    drain = drain_seconds(cfg)
    limit = cfg.workload.drain_limit_seconds
    if drain > limit:
        yield Problem(
            "workload.longestTaskSeconds",
            f"a stopping worker needs {drain}s to drain ({cfg.workload.longest_task_seconds}s of task plus "
            f"{TASK_WRAP_UP_SECONDS}s to report it), longer than the {limit}s the cluster waits for a node's pods "
            "(workload.drainLimitSeconds; EKS managed node groups stop waiting after 15 minutes, so a node update "
            "fails or kills the task). Split or defer the longest tasks, or raise workload.drainLimitSeconds where "
            "your nodes wait longer",
        )
    if cfg.uses_rabbitmq and drain > RABBITMQ_CONSUMER_TIMEOUT_SECONDS:
        yield Problem(
            "workload.longestTaskSeconds",
            f"a task may hold its RabbitMQ delivery unacknowledged for {drain}s, longer than the broker's "
            f"{RABBITMQ_CONSUMER_TIMEOUT_SECONDS}s consumer_timeout (Amazon MQ's default): RabbitMQ would close the "
            "worker's channel and hand the running task to another worker",
        )


CAPACITY_RULES: tuple[Rule, ...] = (
    tasks_fit_celery_workers,
    worker_slots_carry_the_peak,
    keda_minimum_within_maximum,
    scheduling_carries_the_peak,
    per_dag_limits_within_parallelism,
    database_holds_the_connections,
    drain_within_cluster_limit,
    triggerers_carry_the_deferred_peak,
)
