"""Derivations: from the declared workload to every concurrency cap, overrides and edges included.

Expected figures are worked out by hand in each case's comment, from the rules in
docs/runbooks/capacity-planning.md.
"""

from __future__ import annotations

import pytest

from components.tuning.derive import derive_tuning, parsing_processes_for
from tests.support.stacks import sized, stack

# (id, tier, sections, expected Tuning fields)
CASES = [
    (
        # worker 4 CPU / limit 16Gi, task 250m / limit 1Gi: 16 by CPU, (16384-512)/1024 = 15 by memory.
        # ceil(128/15) = 9 workers, 135 slots; parallelism per scheduler lets the 1 scheduler left
        # when one of 2 is down still reach all 135; prod keeps 2 warm workers.
        "prod defaults: memory-bound celery",
        "prod",
        {},
        {
            "worker_concurrency": 15,
            "max_celery_workers": 9,
            "min_celery_workers": 2,
            "parallelism": 135,
            "default_pool_task_slot_count": 135,
            "parsing_processes": 2,
            "worker_pods_creation_batch_size": None,
            "kubernetes_task_pods": None,
        },
    ),
    (
        # 8 CPU / 4Gi without limits, task 100m / 1Gi: 80 by CPU, (4096-512)/1024 = 3 by memory.
        "memory-bound worker",
        "prod",
        {"celery": {"workers": {"resources": sized("8", "4Gi")}}, "workload": {"taskResources": sized("100m", "1Gi")}},
        {"worker_concurrency": 3, "max_celery_workers": 43},  # ceil(128/3)
    ),
    (
        # 1 CPU / 16Gi, task 250m / 256Mi: 4 by CPU, 62 by memory.
        "cpu-bound worker",
        "prod",
        {
            "celery": {"workers": {"resources": sized("1", "16Gi")}},
            "workload": {"taskResources": sized("250m", "256Mi")},
        },
        {"worker_concurrency": 4, "max_celery_workers": 32, "parallelism": 128, "default_pool_task_slot_count": 128},
    ),
    (
        # 300m ÷ 100m is 3 in whole millicores (2.999… in floating point).
        "cpu quotient without floating-point loss",
        "prod",
        {
            "celery": {"workers": {"resources": sized("300m", "16Gi")}},
            "workload": {"taskResources": sized("100m", "256Mi")},
        },
        {"worker_concurrency": 3},
    ),
    (
        # 3 schedulers: one can be lost and the other 2 still reach 135 slots: ceil(135/2) = 68.
        "three schedulers share the slots with one to spare",
        "prod",
        {"scheduler": {"replicas": 3}},
        {"parallelism": 68, "default_pool_task_slot_count": 135},
    ),
    (
        "tiny peak",
        "prod",
        {"workload": {"peakRunningTasks": 1, "maxActiveRunsPerDag": 1, "maxActiveTasksPerDag": 1}},
        # 1 worker of 15; the warm floor of 2 cannot exceed the maximum of 1.
        {
            "worker_concurrency": 15,
            "max_celery_workers": 1,
            "min_celery_workers": 1,
            "parallelism": 15,
            "default_pool_task_slot_count": 15,
        },
    ),
    (
        "huge peak",
        "prod",
        {"workload": {"peakRunningTasks": 5000}},
        # ceil(5000/15) = 334 workers, 5010 slots, all of them per scheduler (2 - 1 survivors).
        {"max_celery_workers": 334, "parallelism": 5010, "default_pool_task_slot_count": 5010},
    ),
    (
        # local: 500m / limit 2Gi worker, 100m / 256Mi task: 5 by CPU, (2048-512)/256 = 6 by memory.
        "local: fixed workers, no KEDA",
        "local",
        {},
        # Without KEDA the fixed worker count travels in max_celery_workers (workers.celery.replicas).
        {
            "worker_concurrency": 5,
            "max_celery_workers": 1,
            "min_celery_workers": None,
            "parallelism": 5,
            "default_pool_task_slot_count": 5,
            "parsing_processes": 1,
        },
    ),
    (
        "dev: KubernetesExecutor pod budget defaults to the peak",
        "dev",
        {},
        # 16 pods, batch ceil(16 / 1 scheduler / 4 loops) = 4; nothing of Celery.
        {
            "kubernetes_task_pods": 16,
            "worker_pods_creation_batch_size": 4,
            "parallelism": 16,
            "default_pool_task_slot_count": 16,
            "worker_concurrency": None,
            "max_celery_workers": None,
            "pgbouncer.result_backend_pool_size": None,
        },
    ),
    (
        "KubernetesExecutor batch is capped",
        "dev",
        {"scheduler": {"replicas": 2}, "kubernetesExecutor": {"maxTaskPods": 1000}},
        # ceil(1000/2/4) = 125, capped at 32; parallelism 1000 / (2 - 1).
        {"worker_pods_creation_batch_size": 32, "parallelism": 1000, "default_pool_task_slot_count": 1000},
    ),
    (
        # Celery sized for the whole peak (ceil(64/7) = 10 workers of 7), plus 64 task pods.
        "both executors",
        "staging",
        {},
        {
            "worker_concurrency": 7,
            "max_celery_workers": 10,
            "kubernetes_task_pods": 64,
            "default_pool_task_slot_count": 134,
            "parallelism": 134,
            "worker_pods_creation_batch_size": 8,
        },
    ),
    (
        "overrides win",
        "prod",
        {
            "celery": {"workers": {"concurrency": 10, "minReplicas": 0, "maxReplicas": 20}},
            "tuning": {
                "parallelism": 500,
                "defaultPoolTaskSlotCount": 1000,
                "sqlAlchemyPoolSize": 3,
                "sqlAlchemyMaxOverflow": 2,
            },
            "dagProcessor": {"parsingProcesses": 7},
            "pgbouncer": {"maxClientConn": 900, "metadataPoolSize": 40, "resultBackendPoolSize": 20},
        },
        {
            "worker_concurrency": 10,
            "min_celery_workers": 0,
            "max_celery_workers": 20,
            "parallelism": 500,
            "default_pool_task_slot_count": 1000,
            "sql_alchemy_pool_size": 3,
            "sql_alchemy_max_overflow": 2,
            "parsing_processes": 7,
            "pgbouncer.max_client_conn": 900,
            "pgbouncer.metadata_pool_size": 40,
            "pgbouncer.result_backend_pool_size": 20,
        },
    ),
    (
        "KubernetesExecutor overrides win",
        "dev",
        {"kubernetesExecutor": {"maxTaskPods": 40, "workerPodsCreationBatchSize": 3}},
        {"kubernetes_task_pods": 40, "worker_pods_creation_batch_size": 3, "parallelism": 40},
    ),
    (
        # Clients: 2 schedulers, 2 dag-processors, 2 triggerers at 15, 2 api-servers × 2 workers × 2
        # pools (sync and async) at 15, KEDA 1 = 211 metadata; 2 scheduler result reads + 9 workers × 16
        # = 146 result backend. One of 2 PgBouncers must take all 357: ceil(357 × 1.25) = 447.
        # Pools: max(10, ceil(211/4/2) = 27), max(5, ceil(146/4/2) = 19).
        "pgbouncer pools",
        "prod",
        {},
        {
            "sql_alchemy_pool_size": 5,
            "sql_alchemy_max_overflow": 10,
            "pgbouncer.max_client_conn": 447,
            "pgbouncer.metadata_pool_size": 27,
            "pgbouncer.result_backend_pool_size": 19,
        },
    ),
    (
        # No PgBouncer: local PostgreSQL takes 100 - 3 - 10 = 87. Workers 8 CPU / 32Gi hold 80 tasks
        # of 100m / 256Mi: 1 worker × 81 + 1 scheduler read = 82, leaving 5 for 4 processes: 1 each.
        "direct connections squeeze the SQLAlchemy pool",
        "local",
        {"celery": {"workers": {"resources": sized("8", "32Gi")}}},
        {
            "worker_concurrency": 80,
            "sql_alchemy_pool_size": 1,
            "sql_alchemy_max_overflow": 0,
            "pgbouncer": None,
        },
    ),
    (
        "direct connections keep Airflow's pool when there is room",
        "local",
        {},
        {"sql_alchemy_pool_size": 5, "sql_alchemy_max_overflow": 10},
    ),
]


@pytest.mark.parametrize(
    ("tier", "sections", "expected"), [case[1:] for case in CASES], ids=[case[0] for case in CASES]
)
def test_derivation(tier, sections, expected):
    tuning = derive_tuning(stack(tier, **sections))
    assert {field: _field(tuning, field) for field in expected} == expected


def _field(value: object, dotted: str) -> object:
    for part in dotted.split("."):
        value = getattr(value, part)
    return value


def test_per_dag_limits_come_from_the_workload():
    tuning = derive_tuning(stack("prod", workload={"maxActiveRunsPerDag": 3, "maxActiveTasksPerDag": 64}))
    assert (tuning.max_active_runs_per_dag, tuning.max_active_tasks_per_dag) == (3, 64)


@pytest.mark.parametrize(
    ("cpu", "processes"),
    [("100m", 1), ("250m", 1), ("999m", 1), ("1", 1), ("1500m", 1), ("2", 2), ("3.9", 3), ("8", 8)],
)
def test_parsing_processes_follow_whole_cores(cpu, processes):
    assert parsing_processes_for(cpu) == processes


def test_parsing_processes_from_the_dag_processor_request():
    tuning = derive_tuning(stack("prod", dagProcessor={"resources": sized("3", "4Gi")}))
    assert tuning.parsing_processes == 3


def test_slots_are_workers_times_concurrency_plus_pods():
    tuning = derive_tuning(stack("staging"))
    assert (tuning.celery_slots, tuning.total_task_slots) == (70, 134)
