"""The capacity report: the plan's ``capacity`` key and its summary lines."""

from __future__ import annotations

import json

import pytest

from components.tuning.capacity import capacity_report, capacity_summary
from components.tuning.derive import derive_tuning
from components.tuning.rds_instances import rds_default_max_connections
from tests.support.paths import SHIPPED_STACKS
from tests.support.stacks import stack


def report_of(tier: str, **sections) -> dict:
    cfg = stack(tier, **sections)
    return capacity_report(cfg, derive_tuning(cfg))


def test_prod_report_figures():
    report = report_of("prod")
    assert report["peakRunningTasks"] == 128
    assert report["totalTaskSlots"] == 135  # 9 workers × 15
    assert report["slotsPerExecutor"] == {
        "CeleryExecutor": {"workers": 9, "minWorkers": 2, "autoscaled": True, "workerConcurrency": 15, "slots": 135}
    }
    assert report["parallelism"] == {"perScheduler": 135, "schedulers": 2, "total": 270, "withOneSchedulerDown": 135}
    # 2 api-server workers per pod, each with a sync and an async pool of 5 + 10
    assert report["connections"]["perComponent"]["apiServer"] == {"pods": 2, "perPod": 60, "total": 120}
    assert report["connections"]["perComponent"]["celeryWorkers"] == {"pods": 9, "perPod": 16, "total": 144}
    assert report["connections"]["clientTotal"] == 357  # 30 + 30 + 30 + 120 + 2 + 144 + 1
    database = report["database"]
    # db.r6g.xlarge, 32 GiB: 3172 by the kit's estimate; 5 superuser slots + 10 % maintenance (318).
    assert (database["maxConnections"], database["reserved"], database["available"]) == (3172, 323, 2849)
    assert database["used"] == 92  # (27 metadata + 19 result backend) × 2 PgBouncers
    assert database["headroom"] == 2757


def test_direct_connections_count_every_client_against_the_database():
    report = report_of("local")
    # 5 pools × 15 (scheduler, dag-processor, triggerer, api-server sync + async) + 1 scheduler read
    # + 1 worker × (5 + 1)
    assert report["connections"]["clientTotal"] == 82
    assert report["connections"]["pgbouncer"] is None
    assert (report["database"]["used"], report["database"]["available"], report["database"]["headroom"]) == (82, 87, 5)


def test_kubernetes_task_pods_hold_no_database_connection():
    report = report_of("dev")
    assert report["slotsPerExecutor"]["KubernetesExecutor"] == {"slots": 16, "podsCreatedPerSchedulerLoop": 4}
    assert report["connections"]["perComponent"]["kubernetesTaskPods"] == {"pods": 16, "perPod": 0, "total": 0}


@pytest.mark.parametrize("tier", SHIPPED_STACKS)
def test_report_is_json_and_summarised(tier):
    report = report_of(tier)
    assert json.loads(json.dumps(report)) == report
    summary = "\n".join(capacity_summary(report))
    assert f"task slots: {report['totalTaskSlots']}" in summary
    assert f"headroom {report['database']['headroom']}" in summary


def test_summary_reads_as_sentences():
    lines = capacity_summary(report_of("staging"))
    assert lines[0].startswith(
        "task slots: 134 for a peak of 64 (parallelism 134 × 2 schedulers = 268, 134 with one scheduler down"
    )
    assert "CeleryExecutor: 1–10 workers (KEDA) × concurrency 7 = 70 slots" in lines
    assert "KubernetesExecutor: 64 task pods, 8 created per scheduler loop" in lines
    # clients 30 + 30 + 30 + 120 + 2 + 80 + 1 = 293, × 1.25 on the 1 pod left = 367;
    # metadata ⌈211 ÷ 4 ÷ 2⌉ = 27, result backend ⌈82 ÷ 4 ÷ 2⌉ = 11
    assert "pgbouncer: 2 pods, max 367 clients and 27 + 11 server connections each" in lines


@pytest.mark.parametrize(
    ("instance_class", "observed"),
    # `SHOW max_connections` under RDS defaults on classes of the same memory (db.t2.small/medium/large),
    # and db.r4.large, whose 15.25 GiB are a little under db.r5.large's 16.
    [("db.t3.small", 198), ("db.t3.medium", 413), ("db.t3.large", 856), ("db.r5.large", 1660)],
)
def test_rds_estimate_is_close_and_never_above_the_real_default(instance_class, observed):
    estimate = rds_default_max_connections(instance_class)
    assert observed * 0.9 <= estimate <= observed


def test_rds_formula_stops_at_5000():
    assert rds_default_max_connections("db.r6g.16xlarge") == 5000


def test_unknown_class_has_no_estimate():
    assert rds_default_max_connections("db.x2g.large") is None
