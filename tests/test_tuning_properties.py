"""Properties of the tuning derivation (``components/tuning``), over generated stack configs.

Each generated stack starts from its tier's defaults and varies only the workload and sizing keys
(executor, peak, task and Celery worker resources, KEDA, scheduler and api-server replicas,
PgBouncer, the RDS instance class), within the tier's floors, so that it passes the config rules
by construction. The properties:

1. Every config ``validated_stack_config`` accepts carries its peak: the task slots reach
   ``workload.peakRunningTasks`` (Celery alone does, with both executors); ``parallelism`` per
   scheduler reaches the slots with one scheduler down; the default pool reaches the peak; the
   connections fit the database (directly, or through PgBouncer's server pools, with the
   PgBouncers left when one is down still accepting every client); a Celery worker holds
   ``worker_concurrency`` tasks by CPU and by memory after its own process; without PgBouncer each
   Airflow process keeps Airflow's 5 + 10 SQLAlchemy pool where the database affords it, else the
   largest pool that fits. A config it rejects is rejected only for the database's connections,
   and only when they cannot fit (not even one per process, or PgBouncer's server pools).
2. An override that makes the peak impossible (``celery.workers.maxReplicas`` × concurrency,
   ``kubernetesExecutor.maxTaskPods``, ``tuning.parallelism`` × schedulers,
   ``tuning.defaultPoolTaskSlotCount``; or ``celery.workers.concurrency`` above what a worker's
   memory holds) is refused at the key the stack set, and only then.
3. The derivation is deterministic, and raising the peak never lowers the slots, parallelism,
   default pool, workers or task pods, never changes the concurrency, and never grows the
   SQLAlchemy pool.

Expectations are computed from the drawn numbers (millicores, MiB), not by the code under test.
The tests of properties 1 and 2 count their outcomes and require a share of each kind (accepted
stacks; overrides on both sides of each threshold), so that neither passes vacuously.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Any

from hypothesis import event, given, note, settings
from hypothesis import strategies as st

from components.config.errors import ConfigError
from components.config.executors import CELERY, EXECUTORS, KUBERNETES, LOCAL
from components.config.loader import load_stack_config
from components.config.model import StackConfig
from components.config.tiers import deep_merge
from components.tuning.connection_budget import database_limit, server_connections, tuning_connections
from components.tuning.derive import MAX_POD_CREATION_BATCH, PROD_MIN_WORKERS, derive_tuning
from components.tuning.model import Tuning
from components.tuning.rds_instances import INSTANCE_MEMORY_GIB
from components.validation import validated_stack_config
from tests.support.stacks import raw_values, secret_keys_of, sized

# Problems a config valid by construction may still earn: its connections do not fit the database.
DATABASE_KEYS = frozenset(
    {"database.instanceClass", "database.maxConnections", "pgbouncer.enabled", "pgbouncer.metadataPoolSize"}
)
WORKER_PROCESS_MIB = 512  # what derive.py keeps for a Celery worker's own process, restated
AIRFLOW_POOL = (5, 10)  # Airflow's sql_alchemy_pool_size and sql_alchemy_max_overflow defaults
TIERS = ("local", "dev", "staging", "prod")
INSTANCE_CLASSES = sorted(INSTANCE_MEMORY_GIB)
# No example database: each run draws afresh and writes no failures under .hypothesis/examples.
SETTINGS = settings(max_examples=120, deadline=None, database=None)


@dataclass(frozen=True)
class Stack:
    """One generated stack: the numbers drawn, and the stack-file sections built from them."""

    tier: str
    executor: str
    peak: int
    schedulers: int
    task_cpu_m: int  # task CPU request, millicores
    task_memory_mib: int  # the task's memory limit, or its request without one
    worker_cpu_m: int  # Celery worker CPU request
    worker_memory_mib: int  # the worker's memory limit, or its request without one
    pgbouncer: bool
    pgbouncer_replicas: int
    sections: dict[str, Any]
    overrides: dict[str, Any] = field(default_factory=dict)

    @property
    def uses_celery(self) -> bool:
        return CELERY in self.executor.split(",")

    @property
    def uses_kubernetes(self) -> bool:
        return KUBERNETES in self.executor.split(",")

    @property
    def tasks_by_cpu(self) -> int:
        return self.worker_cpu_m // self.task_cpu_m

    @property
    def tasks_by_memory(self) -> int:
        return (self.worker_memory_mib - WORKER_PROCESS_MIB) // self.task_memory_mib

    def values(self, **changes: Any) -> dict[str, Any]:
        """The stack's config values (Pulumi's shape), ``changes`` merged over its sections and overrides."""
        return raw_values(self.tier, **deep_merge(deep_merge(self.sections, self.overrides), changes))

    def set_keys(self) -> set[str]:
        """Every dotted key the generated config sets."""
        return set(_dotted(deep_merge(self.sections, self.overrides)))

    def override(self, dotted: str) -> Any:
        """The override at ``dotted`` (``tuning.parallelism``), None when the stack leaves it derived."""
        value: Any = self.overrides
        for part in dotted.split("."):
            if not isinstance(value, dict) or part not in value:
                return None
            value = value[part]
        return value


def _dotted(value: dict[str, Any], prefix: str = "") -> list[str]:
    keys = []
    for key, item in value.items():
        path = f"{prefix}.{key}" if prefix else key
        keys.append(path)
        if isinstance(item, dict):
            keys += _dotted(item, path)
    return keys


def _resources(cpu_m: int, request_mib: int, limit_mib: int | None) -> dict[str, Any]:
    return sized(f"{cpu_m}m", f"{request_mib}Mi", memory_limit=None if limit_mib is None else f"{limit_mib}Mi")


@st.composite
def _memory(draw: st.DrawFn, effective_mib: int) -> tuple[int, int | None]:
    """(request, limit) in MiB whose limit, or request without a limit, is ``effective_mib``."""
    if draw(st.booleans()):
        return draw(st.integers(max(1, effective_mib // 4), effective_mib)), effective_mib
    return effective_mib, None


@st.composite
def stacks(draw: st.DrawFn, *, tiers: tuple[str, ...] = TIERS) -> Stack:
    """A stack within its tier's rules, whose Celery workers hold at least one task by CPU and by memory."""
    tier = draw(st.sampled_from(tiers))
    prod = tier == "prod"
    # The LocalExecutor's capacity is the schedulers' (tests/test_local_executor.py), and prod refuses it.
    executor = draw(st.sampled_from([name for name in EXECUTORS if name != LOCAL]))
    peak = draw(st.one_of(st.integers(1, 64), st.integers(65, 1500)))

    task_cpu_m = draw(st.integers(50, 2000))
    task_memory_mib = draw(st.integers(64, 4096))
    task_request_mib, task_limit_mib = draw(_memory(task_memory_mib))
    schedulers = draw(st.integers(2 if prod else 1, 4))
    pgbouncer = True if prod else draw(st.booleans())
    pgbouncer_replicas = draw(st.integers(2 if prod else 1, 3))
    sections: dict[str, Any] = {
        "executor": executor,
        "workload": {
            "peakRunningTasks": peak,
            "maxActiveTasksPerDag": draw(st.integers(1, min(peak, 64))),
            "maxActiveRunsPerDag": draw(st.integers(1, min(peak, 32))),
            "taskResources": _resources(task_cpu_m, task_request_mib, task_limit_mib),
        },
        "scheduler": {"replicas": schedulers},
        "apiServer": {"replicas": draw(st.integers(2 if prod else 1, 3)), "workers": draw(st.integers(1, 4))},
        "pgbouncer": {"enabled": pgbouncer, "replicas": pgbouncer_replicas},
    }

    # Worker sizes by how many tasks they hold: a remainder below one task keeps the quotient exact.
    by_cpu, by_memory = draw(st.integers(1, 32)), draw(st.integers(1, 32))
    worker_cpu_m = by_cpu * task_cpu_m + draw(st.integers(0, task_cpu_m - 1))
    worker_memory_mib = WORKER_PROCESS_MIB + by_memory * task_memory_mib + draw(st.integers(0, task_memory_mib - 1))
    if CELERY in executor.split(","):
        worker_request_mib, worker_limit_mib = draw(_memory(worker_memory_mib))
        sections["celery"] = {
            "workers": {
                "keda": draw(st.booleans()),
                "resources": _resources(worker_cpu_m, worker_request_mib, worker_limit_mib),
            }
        }
    if tier != "local":
        database: dict[str, Any] = {"instanceClass": draw(st.sampled_from(INSTANCE_CLASSES))}
        max_connections = draw(st.none() | st.integers(50, 5000))
        if max_connections is not None:
            database["maxConnections"] = max_connections
        if not pgbouncer:  # KEDA's operator cannot verify RDS without PgBouncer (database.tls.mode rule)
            database["tls"] = {"mode": "require"}
        sections["database"] = database
    return Stack(
        tier=tier,
        executor=executor,
        peak=peak,
        schedulers=schedulers,
        task_cpu_m=task_cpu_m,
        task_memory_mib=task_memory_mib,
        worker_cpu_m=worker_cpu_m,
        worker_memory_mib=worker_memory_mib,
        pgbouncer=pgbouncer,
        pgbouncer_replicas=pgbouncer_replicas,
        sections=sections,
    )


@st.composite
def overridden_stacks(draw: st.DrawFn) -> Stack:
    """A stack with some capacity overrides, drawn on both sides of what the peak needs."""
    base = draw(stacks())
    peak = base.peak
    overrides: dict[str, Any] = {}

    def around(threshold: int) -> int | None:
        """Unset, below ``threshold``, or at it and a little above, about a third each."""
        below = st.integers(1, threshold - 1) if threshold > 1 else st.nothing()
        return draw(st.none() | below | st.integers(threshold, threshold + 3))

    def put(dotted: str, value: int | None) -> None:
        if value is None:
            return
        *parents, leaf = dotted.split(".")
        section = overrides
        for part in parents:
            section = section.setdefault(part, {})
        section[leaf] = value

    if base.uses_celery:
        # Too many tasks for a worker's memory starts one above what it holds.
        concurrency = around(base.tasks_by_memory + 1)
        put("celery.workers.concurrency", concurrency)
        per_worker = concurrency or max(1, min(base.tasks_by_cpu, base.tasks_by_memory))
        put("celery.workers.maxReplicas", around(math.ceil(peak / per_worker)))
    if base.uses_kubernetes:
        put("kubernetesExecutor.maxTaskPods", around(peak))
    put("tuning.parallelism", around(math.ceil(peak / base.schedulers)))
    put("tuning.defaultPoolTaskSlotCount", around(peak))
    return replace(base, overrides=overrides)


def _load(drawn: Stack, **changes: Any) -> StackConfig:
    """The stack through the config rules only (no capacity checks): it must load."""
    values = drawn.values(**changes)
    return load_stack_config("test", values, secret_keys_of(values))


def _validate(drawn: Stack) -> StackConfig:
    values = drawn.values()
    return validated_stack_config("test", values, secret_keys_of(values))


def _outcome(drawn: Stack) -> StackConfig | ConfigError:
    """The stack ``validated_stack_config`` returns, or the error it raises."""
    try:
        return _validate(drawn)
    except ConfigError as error:
        return error


def _clients(cfg: StackConfig, tuning: Tuning) -> int:
    return sum(c.total for c in tuning_connections(cfg, tuning).values())


def _with_pool(tuning: Tuning, per_process: int) -> Tuning:
    """``tuning`` with a SQLAlchemy pool of ``per_process`` connections per Airflow process."""
    return replace(tuning, sql_alchemy_pool_size=per_process, sql_alchemy_max_overflow=0)


def _check_accepted(drawn: Stack) -> str:
    """Property 1 for one stack; returns its outcome for the counts."""
    cfg = _load(drawn)  # the stacks are built to pass the config rules
    tuning = derive_tuning(cfg)
    available = database_limit(cfg).available
    note(f"tuning: {tuning}; database available: {available}")
    outcome = _outcome(drawn)
    if isinstance(outcome, ConfigError):
        # Only the database may refuse such a stack, and only when the connections do not fit it.
        assert {problem.key for problem in outcome.problems} <= DATABASE_KEYS, outcome.report()
        assert available is not None
        if tuning.pgbouncer is None:  # not even one connection per Airflow process fits
            assert _clients(cfg, _with_pool(tuning, 1)) > available, outcome.report()
        else:
            assert server_connections(cfg, tuning) > available, outcome.report()
        event("refused: the database cannot hold the connections")
        return "refused"

    assert derive_tuning(outcome) == tuning  # the validated stack derives the same settings
    peak = drawn.peak
    slots = tuning.total_task_slots
    assert slots >= peak
    # With one scheduler down (a rollout, a lost node) the others still reach every slot.
    assert tuning.parallelism * max(1, drawn.schedulers - 1) >= slots
    assert tuning.default_pool_task_slot_count >= peak

    assert available is not None
    clients = _clients(cfg, tuning)
    if drawn.pgbouncer:
        assert tuning.pgbouncer is not None
        assert server_connections(cfg, tuning) <= available
        assert tuning.pgbouncer.max_client_conn * max(1, drawn.pgbouncer_replicas - 1) >= clients
        assert (tuning.sql_alchemy_pool_size, tuning.sql_alchemy_max_overflow) == AIRFLOW_POOL
    else:
        assert tuning.pgbouncer is None
        assert server_connections(cfg, tuning) == clients <= available
        # Airflow's own pool where the database affords it, else the largest pool it affords.
        per_process = tuning.sql_alchemy_pool_size + tuning.sql_alchemy_max_overflow
        assert tuning.sql_alchemy_pool_size >= 1
        assert tuning.sql_alchemy_pool_size == min(AIRFLOW_POOL[0], per_process)
        assert per_process <= sum(AIRFLOW_POOL)
        if per_process < sum(AIRFLOW_POOL):
            assert _clients(cfg, _with_pool(tuning, per_process + 1)) > available

    if drawn.uses_celery:
        concurrency, workers = tuning.worker_concurrency, tuning.max_celery_workers
        assert concurrency is not None
        assert workers is not None
        assert concurrency * drawn.task_memory_mib <= drawn.worker_memory_mib - WORKER_PROCESS_MIB
        assert concurrency * drawn.task_cpu_m <= drawn.worker_cpu_m
        assert tuning.celery_slots >= peak  # Celery carries the whole peak, with or without task pods
        if tuning.min_celery_workers is not None:
            floor = PROD_MIN_WORKERS if drawn.tier == "prod" else 1
            assert min(workers, floor) <= tuning.min_celery_workers <= workers
    else:
        assert tuning.worker_concurrency is None
        assert tuning.max_celery_workers is None
    if drawn.uses_kubernetes:
        pods, batch = tuning.kubernetes_task_pods, tuning.worker_pods_creation_batch_size
        assert pods is not None
        assert pods >= peak
        assert batch is not None
        assert 1 <= batch <= MAX_POD_CREATION_BATCH
    else:
        assert tuning.kubernetes_task_pods is None
    event(f"accepted: {drawn.executor}, pgbouncer {'on' if drawn.pgbouncer else 'off'}")
    return "accepted"


def test_accepted_configs_carry_the_peak() -> None:
    outcomes: Counter[str] = Counter()

    @SETTINGS
    @given(stacks())
    def check(drawn: Stack) -> None:
        outcomes[_check_accepted(drawn)] += 1

    check()
    total = sum(outcomes.values())
    assert outcomes["accepted"] >= total // 2, outcomes


def test_accepted_configs_carry_the_peak_in_prod() -> None:
    """Prod's floors (2 schedulers, 2 PgBouncers, KEDA's warm workers) get examples of their own."""
    outcomes: Counter[str] = Counter()

    @settings(SETTINGS, max_examples=60)
    @given(stacks(tiers=("prod",)))
    def check(drawn: Stack) -> None:
        outcomes[_check_accepted(drawn)] += 1

    check()
    assert outcomes["accepted"] >= sum(outcomes.values()) // 2, outcomes


# The overrides the capacity checks judge against the peak (and concurrency, against a worker's memory).
_POOL_KEY = "tuning.defaultPoolTaskSlotCount"
_CONCURRENCY_KEY = "celery.workers.concurrency"
_JUDGED = (
    "celery.workers.maxReplicas",
    "kubernetesExecutor.maxTaskPods",
    "tuning.parallelism",
    _POOL_KEY,
    _CONCURRENCY_KEY,
)


def _expected_problem_keys(drawn: Stack) -> set[str]:
    """The keys whose overrides fall short, from the drawn numbers alone."""
    peak, expected = drawn.peak, set()
    concurrency = drawn.override(_CONCURRENCY_KEY)
    per_worker = concurrency or max(1, min(drawn.tasks_by_cpu, drawn.tasks_by_memory))
    celery_slots = 0
    if drawn.uses_celery:
        celery_slots = (drawn.override("celery.workers.maxReplicas") or math.ceil(peak / per_worker)) * per_worker
    task_pods = (drawn.override("kubernetesExecutor.maxTaskPods") or peak) if drawn.uses_kubernetes else 0
    if celery_slots + task_pods < peak:
        expected.add("celery.workers.maxReplicas" if drawn.uses_celery else "kubernetesExecutor.maxTaskPods")
    parallelism = drawn.override("tuning.parallelism")
    if parallelism is not None and parallelism * drawn.schedulers < peak:
        expected.add("tuning.parallelism")
    pool = drawn.override(_POOL_KEY)
    if pool is not None and pool < peak:
        expected.add(_POOL_KEY)
    if concurrency is not None and concurrency > drawn.tasks_by_memory:
        expected.add(_CONCURRENCY_KEY)
    return expected


def test_overrides_below_the_peak_are_refused_at_their_key() -> None:
    refused: Counter[str] = Counter()
    passed: Counter[str] = Counter()

    @settings(SETTINGS, max_examples=200)
    @given(overridden_stacks())
    def check(drawn: Stack) -> None:
        expected = _expected_problem_keys(drawn)
        note(f"overrides: {drawn.overrides}; expected problems at {sorted(expected)}")
        outcome = _outcome(drawn)
        found = (
            {problem.key: problem.message for problem in outcome.problems} if isinstance(outcome, ConfigError) else {}
        )
        assert {key for key in found if key in _JUDGED} == expected, found
        for key in expected:
            assert key in drawn.set_keys()  # the problem sits at a key the stack set
            if key != _CONCURRENCY_KEY:
                assert f"workload.peakRunningTasks {drawn.peak}" in found[key]
            event(f"refused at {key}")
        refused.update(expected)
        passed.update(key for key in _JUDGED if drawn.override(key) is not None and key not in expected)

    check()
    for key in _JUDGED:  # both sides of every threshold were tried
        assert refused[key] > 0, (key, refused)
        assert passed[key] > 0, (key, passed)


@SETTINGS
@given(st.one_of(stacks(), overridden_stacks()), st.integers(0, 800))
def test_raising_the_peak_never_lowers_the_capacity(drawn: Stack, more: int) -> None:
    cfg = _load(drawn)
    lower = derive_tuning(cfg)
    assert derive_tuning(cfg) == lower == derive_tuning(_load(drawn))  # deterministic

    higher = derive_tuning(_load(drawn, workload={"peakRunningTasks": drawn.peak + more}))
    note(f"peak {drawn.peak} → {drawn.peak + more}: {lower} → {higher}")
    assert higher.total_task_slots >= lower.total_task_slots
    assert higher.parallelism >= lower.parallelism
    assert higher.default_pool_task_slot_count >= lower.default_pool_task_slot_count
    assert higher.worker_concurrency == lower.worker_concurrency
    assert (higher.max_celery_workers or 0) >= (lower.max_celery_workers or 0)
    assert (higher.kubernetes_task_pods or 0) >= (lower.kubernetes_task_pods or 0)
    assert (higher.worker_pods_creation_batch_size or 0) >= (lower.worker_pods_creation_batch_size or 0)
    # More workers leave less of the database to each Airflow process's pool, never more.
    higher_pool = higher.sql_alchemy_pool_size + higher.sql_alchemy_max_overflow
    assert higher_pool <= lower.sql_alchemy_pool_size + lower.sql_alchemy_max_overflow
