"""`executor: LocalExecutor` for the local and dev tiers: where it is allowed, the capacity it
derives from the schedulers' size, what it refuses, and what the chart renders (no workers)."""

from __future__ import annotations

import json

import pytest
import yaml

from components.tuning.capacity import capacity_report
from components.tuning.derive import derive_tuning
from tests.support.airflow import effective_airflow_config
from tests.support.chart import compose, schema_errors
from tests.support.programs import run_data_plane
from tests.support.stacks import problem_at, problems, sized, stack

LOCAL = "LocalExecutor"
# Schedulers of 2 CPU / 8Gi: 8 tasks of 250m by CPU, (8Gi - 512Mi) / 1Gi = 7 by memory.
BIG_SCHEDULERS = {"replicas": 3, "resources": sized("2", "4Gi", memory_limit="8Gi")}
SMALL_WORKLOAD = {"peakRunningTasks": 14, "maxActiveRunsPerDag": 4, "maxActiveTasksPerDag": 8}


def local_stack(tier: str = "dev", **sections):
    return stack(tier, executor=LOCAL, scheduler=BIG_SCHEDULERS, workload=SMALL_WORKLOAD, **sections)


@pytest.mark.parametrize("tier", ["staging", "prod"])
def test_refused_above_dev_with_the_reason(tier):
    message = problem_at(tier, "executor", executor=LOCAL, scheduler=BIG_SCHEDULERS, workload=SMALL_WORKLOAD)
    assert "kills the tasks it runs" in message
    assert "'local' and 'dev' tiers" in message


def test_parallelism_comes_from_the_scheduler_size_and_slots_survive_one_scheduler_down():
    tuning = derive_tuning(local_stack())
    assert tuning.parallelism == 7
    assert tuning.local_task_slots == 7 * 2  # three schedulers, one down
    assert tuning.total_task_slots == 14
    assert tuning.default_pool_task_slot_count == 14
    assert (tuning.worker_concurrency, tuning.max_celery_workers, tuning.kubernetes_task_pods) == (None, None, None)


def test_a_peak_the_schedulers_cannot_hold_names_their_size():
    message = problem_at(
        "dev",
        "scheduler.resources",
        executor=LOCAL,
        scheduler=BIG_SCHEDULERS,
        workload={**SMALL_WORKLOAD, "peakRunningTasks": 15},
    )
    assert "7 tasks per scheduler" in message
    assert "2 scheduler(s) left when one of scheduler.replicas 3 is down = 14" in message
    assert "workload.peakRunningTasks 15" in message
    assert "schedulers that hold 8 tasks each" in message


def test_a_task_larger_than_a_scheduler():
    message = problem_at(
        "dev",
        "workload.taskResources",
        executor=LOCAL,
        scheduler=BIG_SCHEDULERS,
        workload={**SMALL_WORKLOAD, "taskResources": sized("500m", "16Gi")},
    )
    assert "not one task fits a scheduler pod" in message


def test_a_parallelism_override_that_does_not_fit():
    message = problem_at(
        "dev",
        "tuning.parallelism",
        executor=LOCAL,
        scheduler=BIG_SCHEDULERS,
        workload=SMALL_WORKLOAD,
        tuning={"parallelism": 9},
    )
    assert "at most 7 do" in message


def test_worker_sections_are_refused():
    found = problems(
        "dev", executor=LOCAL, scheduler=BIG_SCHEDULERS, workload=SMALL_WORKLOAD, kubernetesExecutor={"maxTaskPods": 4}
    )
    assert [key for key, _ in found] == ["kubernetesExecutor"]
    assert "executor is 'LocalExecutor'" in problem_at(
        "dev",
        "celery",
        executor=LOCAL,
        scheduler=BIG_SCHEDULERS,
        workload=SMALL_WORKLOAD,
        celery={"workers": {"keda": False}},
    )


def test_airflow_config_has_no_celery_and_the_derived_parallelism():
    config = effective_airflow_config(local_stack())
    assert config["core"]["executor"] == LOCAL
    assert config["core"]["parallelism"] == 7
    assert "celery" not in config
    assert "kubernetes_executor" not in config


def test_capacity_report():
    cfg = local_stack()
    report = capacity_report(cfg, derive_tuning(cfg))
    assert report["slotsPerExecutor"] == {LOCAL: {"tasksPerScheduler": 7, "schedulers": 3, "slots": 14}}


def test_no_broker_in_the_data_plane():
    plane = run_data_plane("dev", executor=LOCAL, scheduler=BIG_SCHEDULERS, workload=SMALL_WORKLOAD)
    assert [r.type for r in plane.aws_registrations() if r.type.startswith(("aws:elasticache/", "aws:mq/"))] == []
    assert plane.outputs.broker_url is None


@pytest.mark.parametrize(("tier", "scheduler_kind"), [("dev", "Deployment"), ("local", "StatefulSet")])
def test_the_chart_renders_no_workers_and_the_schedulers_run_the_tasks(tier, scheduler_kind):
    from tests.test_chart_render import of_kind, render_text

    cfg = local_stack(tier)
    assert schema_errors(compose(cfg)) == []
    documents = [document for document in yaml.safe_load_all(render_text(cfg)) if document]
    names = {(document["kind"], document["metadata"]["name"]) for document in documents}
    assert not [name for _, name in names if "worker" in name or "redis" in name]
    assert "ScaledObject" not in {kind for kind, _ in names}
    # Logs in S3 in the AWS tiers: no volume, a Deployment; locally the chart keeps a logs volume.
    scheduler = of_kind(documents, scheduler_kind)["airflow-scheduler"]
    assert scheduler["spec"]["replicas"] == 3
    airflow_cfg = of_kind(documents, "ConfigMap")["airflow-config"]["data"]["airflow.cfg"]
    assert "executor = LocalExecutor" in airflow_cfg


def test_the_scheduler_reads_an_s3_dag_bundle_because_it_runs_the_tasks():
    from tests.support.programs import policy

    bundle = {"source": "s3-bundle", "s3": {"bucket": "team-dags", "prefix": "airflow/dags/"}}
    readers = {}
    for executor, scheduler in ((LOCAL, BIG_SCHEDULERS), ("KubernetesExecutor", None)):
        sections = {"scheduler": scheduler, "workload": SMALL_WORKLOAD} if scheduler else {}
        plane = run_data_plane("dev", executor=executor, dags=bundle, **sections)
        readers[executor] = {
            registration.name.removeprefix("dev-aws-irsa-").removesuffix("-access")
            for registration in plane.of_type("aws:iam/rolePolicy:RolePolicy")
            if registration.parent == "dev-aws-irsa"
            and "arn:aws:s3:::team-dags/airflow/dags/*" in json.dumps(policy(registration))
        }
    assert "scheduler" in readers[LOCAL]
    assert "scheduler" not in readers["KubernetesExecutor"]
