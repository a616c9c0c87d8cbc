"""Capacity checks: each one refuses a stack that cannot carry its workload, naming keys and numbers."""

from __future__ import annotations

import pytest

from components.config.loader import load_stack_config
from components.config.stackfile import read_stack_file
from components.tuning.checks import CAPACITY_RULES
from tests.support.paths import REPO, SHIPPED_STACKS
from tests.support.stacks import problem_at, problems, raw_values, sized, stack

# (id, tier, sections, key of the problem, fragments its message must contain)
CASES = [
    (
        "celery workers cannot carry the peak",
        "prod",
        {"celery": {"workers": {"maxReplicas": 2}}},
        "celery.workers.maxReplicas",
        [
            "carry 30 tasks",
            "celery.workers.maxReplicas 2 × celery.workers.concurrency 15 = 30",
            "workload.peakRunningTasks 128",
        ],
    ),
    (
        "fixed celery workers cannot carry the peak",
        "local",
        {"celery": {"workers": {"maxReplicas": 1, "concurrency": 2}}},
        "celery.workers.maxReplicas",
        ["carry 2 tasks", "workload.peakRunningTasks 4"],
    ),
    (
        "task pods cannot carry the peak",
        "dev",
        {"kubernetesExecutor": {"maxTaskPods": 8}},
        "kubernetesExecutor.maxTaskPods",
        ["carry 8 tasks", "kubernetesExecutor.maxTaskPods 8", "workload.peakRunningTasks 16"],
    ),
    (
        "both executors together cannot carry the peak",
        "staging",
        {"celery": {"workers": {"maxReplicas": 1}}, "kubernetesExecutor": {"maxTaskPods": 10}},
        "celery.workers.maxReplicas",
        ["carry 17 tasks", "= 7 + kubernetesExecutor.maxTaskPods 10", "workload.peakRunningTasks 64"],
    ),
    (
        "parallelism too low for the peak",
        "prod",
        {"tuning": {"parallelism": 50}},
        "tuning.parallelism",
        ["50 per scheduler × scheduler.replicas 2 = 100", "workload.peakRunningTasks 128"],
    ),
    (
        "default pool caps the deployment",
        "prod",
        {"tuning": {"defaultPoolTaskSlotCount": 128}, "workload": {"peakRunningTasks": 200}},
        "tuning.defaultPoolTaskSlotCount",
        ["128 slots", "workload.peakRunningTasks 200"],
    ),
    (
        "tasks per DAG above total parallelism",
        "prod",
        {"workload": {"maxActiveTasksPerDag": 500}},
        "workload.maxActiveTasksPerDag",
        [
            "500 exceeds the deployment's total parallelism 270",
            "tuning.parallelism 135 × scheduler.replicas 2",
            "default pool's 135 slots (tuning.defaultPoolTaskSlotCount)",
        ],
    ),
    (
        "runs per DAG above total parallelism",
        "dev",
        {"workload": {"maxActiveRunsPerDag": 40}},
        "workload.maxActiveRunsPerDag",
        ["40 exceeds the deployment's total parallelism 16", "scheduler.replicas 1"],
    ),
    (
        "in-cluster PostgreSQL cannot hold the pools",
        "local",
        {"tuning": {"sqlAlchemyPoolSize": 10, "sqlAlchemyMaxOverflow": 20}},
        "pgbouncer.enabled",
        # 5 pools × 30 (the api-server's worker holds a sync and an async pool) + 1 worker × 6
        # + 1 scheduler read = 157 against 100 - 3 - 10.
        [
            "157 connections",
            "tuning.sqlAlchemyPoolSize 10",
            "tuning.sqlAlchemyMaxOverflow 20",
            "takes 87",
            "max_connections 100 from PostgreSQL's default, for the local tier's in-cluster database",
        ],
    ),
    (
        "RDS instance too small without PgBouncer",
        "dev",
        {
            "pgbouncer": {"enabled": False},
            "database": {"instanceClass": "db.t4g.micro"},
            "tuning": {"sqlAlchemyPoolSize": 10, "sqlAlchemyMaxOverflow": 20},
        },
        "database.instanceClass",
        # 1 GiB: floor(0.88 GiB / 9531392) = 99; 99 - 5 - 10 = 84; 3 pods + 2 api-server workers × 2
        # pools = 7 pools × 30 = 210.
        [
            "210 connections",
            "takes 84",
            "max_connections 99 from RDS's default for database.instanceClass db.t4g.micro",
        ],
    ),
    (
        "stated max_connections too small",
        "dev",
        {
            "pgbouncer": {"enabled": False},
            "database": {"maxConnections": 50},
            "tuning": {"sqlAlchemyPoolSize": 5, "sqlAlchemyMaxOverflow": 10},
        },
        "database.maxConnections",
        ["105 connections", "takes 40", "from database.maxConnections"],
    ),
    (
        "PgBouncer server pools exceed the database",
        "prod",
        {"pgbouncer": {"metadataPoolSize": 2000}},
        "pgbouncer.metadataPoolSize",
        # (2000 + 19) × 2 = 4038 against 3172 - 5 - 318 = 2849.
        [
            "4038 server connections",
            "pgbouncer.metadataPoolSize 2000",
            "pgbouncer.resultBackendPoolSize 19",
            "pgbouncer.replicas 2",
            "takes 2849",
        ],
    ),
    (
        "PgBouncer cannot take every client when one pod is down",
        "prod",
        {"pgbouncer": {"maxClientConn": 100}},
        "pgbouncer.maxClientConn",
        ["100 per pod × 1 pod(s) left", "pgbouncer.replicas 2", "357 clients"],
    ),
    (
        "unknown instance class",
        "dev",
        {"database": {"instanceClass": "db.x2g.large"}},
        "database.instanceClass",
        ["db.x2g.large", "set database.maxConnections"],
    ),
    (
        "unbounded SQLAlchemy pool",
        "prod",
        {"tuning": {"sqlAlchemyPoolSize": 0}},
        "tuning.sqlAlchemyPoolSize",
        ["0 means no limit"],
    ),
    (
        "a task larger than a worker's memory",
        "prod",
        {"workload": {"taskResources": sized("250m", "32Gi")}},
        "workload.taskResources",
        ["32Gi", "celery.workers.resources memory 16Gi"],
    ),
    (
        "a task larger than a worker's CPU",
        "prod",
        {"workload": {"taskResources": sized("8", "512Mi")}},
        "workload.taskResources.requests.cpu",
        ["8 CPU", "celery.workers.resources.requests.cpu 4"],
    ),
    (
        "concurrency above what the worker's memory holds",
        "prod",
        {"celery": {"workers": {"concurrency": 40}}},
        "celery.workers.concurrency",
        ["40 tasks of up to 1Gi", "workload.taskResources", "16Gi", "at most 15"],
    ),
    (
        "KEDA minimum above the derived maximum",
        "prod",
        {"celery": {"workers": {"minReplicas": 20}}},
        "celery.workers.minReplicas",
        ["20 is above the 9 workers", "workload.peakRunningTasks"],
    ),
]


@pytest.mark.parametrize(("tier", "sections", "key", "fragments"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_check_refuses_with_keys_and_numbers(tier, sections, key, fragments):
    message = problem_at(tier, key, **sections)
    for fragment in fragments:
        assert fragment in message, message


def test_a_stated_max_connections_replaces_the_unknown_class():
    cfg = stack("dev", database={"instanceClass": "db.x2g.large", "maxConnections": 400})
    assert cfg.database.max_connections == 400


def test_both_explicit_worker_bounds_are_judged_once():
    """celery.workers.minReplicas above an explicit maxReplicas belongs to the config rule alone."""

    found = problems("prod", celery={"workers": {"minReplicas": 5, "maxReplicas": 3}})
    assert [key for key, _ in found].count("celery.workers.minReplicas") == 1


@pytest.mark.parametrize("tier", SHIPPED_STACKS)
def test_every_tier_default_passes_its_own_checks(tier):
    cfg = stack(tier)
    for capacity_rule in CAPACITY_RULES:
        assert list(capacity_rule.check(cfg, frozenset())) == [], capacity_rule.check.__name__


@pytest.mark.parametrize("stack", SHIPPED_STACKS)
def test_every_shipped_stack_passes_its_own_checks(stack):
    stack_file = read_stack_file(REPO / "stacks" / f"Pulumi.{stack}.yaml")
    cfg = load_stack_config(stack_file.stack, stack_file.values, stack_file.secret_keys)
    for capacity_rule in CAPACITY_RULES:
        assert list(capacity_rule.check(cfg, frozenset())) == [], capacity_rule.check.__name__


def test_capacity_rules_run_where_validation_is_composed():
    """validated_stack_config refuses a stack that cannot carry its peak; the config layer alone
    (which the capacity rules build on) does not know them."""
    from components.config.errors import ConfigError
    from components.validation import validated_stack_config

    short = raw_values("prod", celery={"workers": {"maxReplicas": 1}})
    with pytest.raises(ConfigError, match=r"workload\.peakRunningTasks 128"):
        validated_stack_config("test", short)
    assert load_stack_config("test", short).celery.workers.max_replicas == 1


def test_short_workers_are_reported_once_not_through_what_derives_from_them():

    found = problems("staging", celery={"workers": {"maxReplicas": 1}}, kubernetesExecutor={"maxTaskPods": 10})
    assert [key for key, _ in found] == ["celery.workers.maxReplicas"]


def test_a_peak_the_database_cannot_carry_is_reported_at_the_users_keys_with_ways_out_that_work():
    """With derived PgBouncer pools the refusal names database.instanceClass and workload.peakRunningTasks, and
    each way out it proposes is one the checks accept (and the proposed peak is the largest that is)."""
    import re

    sections = {
        "executor": "CeleryExecutor",
        "database": {"instanceClass": "db.t4g.micro"},
        "workload": {"peakRunningTasks": 400},
    }
    found = problems("dev", **sections)
    assert [key for key, _ in found] == ["database.instanceClass"]
    message = found[0][1]
    assert "workload.peakRunningTasks 400" in message
    bigger = re.search(r"database\.instanceClass (db\.t4g\.\w+) \(", message)
    smaller_peak = re.search(r"workload\.peakRunningTasks (\d+) or fewer", message)
    assert bigger is not None
    assert smaller_peak is not None
    peak = int(smaller_peak.group(1))
    assert stack("dev", **(sections | {"database": {"instanceClass": bigger.group(1)}}))
    assert stack("dev", **(sections | {"workload": {"peakRunningTasks": peak}}))
    assert problems("dev", **(sections | {"workload": {"peakRunningTasks": peak + 1}}))
