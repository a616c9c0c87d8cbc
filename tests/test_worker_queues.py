"""Worker sets per queue and the graceful drain: config, derivation, checks, chart values and the real chart.

Expected figures are worked out by hand from the sizes in each test: a heavy task of 4 CPU and
16Gi on a worker of 8 CPU and 34Gi holds 2 tasks (8 ÷ 4 by CPU; 34Gi less the worker's 512Mi
over 16Gi by memory), so a peak of 10 heavy tasks needs 5 workers.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from components.config.errors import ConfigError
from components.config.executors import CELERY, KUBERNETES
from components.tuning.capacity import capacity_report, capacity_summary
from components.tuning.connection_budget import tuning_connections
from components.tuning.derive import derive_tuning
from components.validation import validated_stack_config
from tests.support.airflow import effective_airflow_config
from tests.support.chart import chart_archive, compose, schema_errors
from tests.support.stacks import names_of, problem_at, problems, raw_values, secret_keys_of, shipped_stack, sized, stack

BOTH = f"{CELERY},{KUBERNETES}"
HEAVY_TASK = sized("4", "16Gi", "4", "16Gi")
HEAVY_WORKER = sized("8", "32Gi", "8", "34Gi")
HEAVY = {"name": "heavy", "peakRunningTasks": 10, "taskResources": HEAVY_TASK, "workerResources": HEAVY_WORKER}


def with_heavy(tier: str = "prod", **sections: Any):
    return stack(tier, workload={"queues": [HEAVY]}, **sections)


# --- configuration and derivation -------------------------------------------------------------


def test_stacks_without_queues_keep_one_default_worker_set():
    for name in ("local", "dev", "staging", "prod"):
        cfg = shipped_stack(name)
        assert cfg.workload.queues == []
        assert derive_tuning(cfg).queues == ()
        celery = compose(cfg)["workers"].get("celery", {})
        assert celery.get("sets", []) == []


def test_a_queue_gets_its_own_concurrency_and_worker_bounds():
    tuning = derive_tuning(with_heavy())
    [heavy] = tuning.queues
    assert (heavy.name, heavy.worker_concurrency, heavy.max_workers, heavy.min_workers) == ("heavy", 2, 5, 2)
    # The prod default queue is unchanged: 128 tasks of 250m/1Gi on 4 CPU/16Gi workers → 15 each, 9 workers.
    assert (tuning.worker_concurrency, tuning.max_celery_workers) == (15, 9)
    assert tuning.celery_slots == 9 * 15 + 5 * 2
    # [core] parallelism covers both queues with one of the two schedulers down.
    assert tuning.parallelism == 145
    assert tuning.default_pool_task_slot_count == 145


def test_a_queue_without_its_own_worker_size_uses_the_default_workers():
    small = {"name": "small", "peakRunningTasks": 8, "taskResources": sized("1", "2Gi", "1", "2Gi")}
    [queue] = derive_tuning(stack("prod", workload={"queues": [small]})).queues
    # 4 CPU ÷ 1 = 4; (16Gi - 512Mi) ÷ 2Gi = 7: CPU decides.
    assert (queue.worker_concurrency, queue.max_workers) == (4, 2)


def test_each_queue_workers_count_in_the_connection_budget():
    budget = tuning_connections(with_heavy(), derive_tuning(with_heavy()))
    assert (budget["celeryWorkers.heavy"].pods, budget["celeryWorkers.heavy"].per_pod) == (5, 3)
    assert budget["keda"].pods == 2  # a scaler per worker set


def test_capacity_report_and_summary_per_queue():
    cfg = with_heavy()
    report = capacity_report(cfg, derive_tuning(cfg))
    assert report["peakRunningTasks"] == 138
    assert report["slotsPerExecutor"][CELERY]["queues"] == {
        "default": {"peakRunningTasks": 128, "workers": 9, "minWorkers": 2, "workerConcurrency": 15, "slots": 135},
        "heavy": {"peakRunningTasks": 10, "workers": 5, "minWorkers": 2, "workerConcurrency": 2, "slots": 10},
    }
    lines = capacity_summary(report)
    assert "CeleryExecutor queue heavy: 2–5 workers (KEDA) × concurrency 2 = 10 slots for a peak of 10" in lines
    assert "CeleryExecutor queue default: 2–9 workers (KEDA) × concurrency 15 = 135 slots for a peak of 128" in lines


# --- bad input ----------------------------------------------------------------------------------


def test_two_queues_with_the_same_name_are_refused():
    twice = [HEAVY, {**HEAVY, "peakRunningTasks": 2}]
    message = problem_at("prod", "workload.queues[1].name", workload={"queues": twice})
    assert "'heavy' is already declared by workload.queues[0]" in message
    message = problem_at("prod", "workload.queues[0].name", workload={"queues": [{**HEAVY, "name": "default"}]})
    assert "already declared by the default queue" in message


def test_a_queue_no_worker_set_serves_is_refused():
    message = problem_at("dev", "workload.queues[0].name", executor=KUBERNETES, workload={"queues": [HEAVY]})
    assert "no worker set serves queue 'heavy'" in message
    assert "KubernetesExecutor" in message
    message = problem_at(
        "prod", "airflow.config.operators.default_queue", airflow={"config": {"operators": {"default_queue": "etl"}}}
    )
    assert "no worker set serves queue 'etl'" in message
    # Routing every task to a declared queue is fine.
    stack("prod", workload={"queues": [HEAVY]}, airflow={"config": {"operators": {"default_queue": "heavy"}}})


def test_a_task_larger_than_its_worker_is_refused():
    too_big = {**HEAVY, "workerResources": sized("2", "8Gi", "2", "8Gi")}
    found = dict(problems("prod", workload={"queues": [too_big]}))
    assert "workload.queues[0].workerResources.requests.cpu 2" in found["workload.queues[0].taskResources.requests.cpu"]
    assert "more than a Celery worker holds" in found["workload.queues[0].taskResources"]
    # Without a worker size of its own, the queue's tasks must fit the default workers (16Gi limit).
    message = problem_at(
        "prod", "workload.queues[0].taskResources", workload={"queues": [{**HEAVY, "workerResources": None}]}
    )
    assert "celery.workers.resources memory 16Gi" in message


def test_a_queue_name_must_be_a_kubernetes_name():
    message = problem_at("prod", "workload.queues[0].name", workload={"queues": [{**HEAVY, "name": "Heavy_Tasks"}]})
    assert "must be a DNS label" in message


def test_a_queue_name_must_leave_the_worker_set_name_within_a_label():
    # airflow-worker- is 15 characters: 48 more make 63.
    stack("prod", workload={"queues": [{**HEAVY, "name": "q" * 48}]})
    message = problem_at("prod", "workload.queues[0].name", workload={"queues": [{**HEAVY, "name": "q" * 49}]})
    assert "64 characters long" in message
    assert "at most 48 characters" in message


def test_a_drain_longer_than_the_cluster_allows_is_refused():
    message = problem_at("prod", "workload.longestTaskSeconds", workload={"longestTaskSeconds": 841})
    assert "901s to drain" in message
    assert "the 900s the cluster waits" in message
    assert "15 minutes" in message
    stack("prod", workload={"longestTaskSeconds": 840})  # 840 + 60 = 900: the limit itself is fine
    stack("prod", workload={"longestTaskSeconds": 3000, "drainLimitSeconds": 3600})


def test_the_drain_options_are_not_set_through_airflow_config():
    message = problem_at(
        "prod",
        "airflow.config.celery_broker_transport_options.visibility_timeout",
        airflow={"config": {"celery_broker_transport_options": {"visibility_timeout": 60}}},
    )
    assert "workload.longestTaskSeconds" in message


# --- drain values -----------------------------------------------------------------------------


def test_default_drain_keeps_the_charts_grace_and_sets_the_visibility_timeout():
    cfg = shipped_stack("prod")
    celery = compose(cfg)["workers"]["celery"]
    assert celery["terminationGracePeriodSeconds"] == 600  # 540 s of task + 60 s to report it
    assert celery["safeToEvict"] is True  # within the cluster autoscaler's 600 s
    assert celery["keda"]["cooldownPeriod"] == 600
    config = effective_airflow_config(cfg)
    assert config["celery_broker_transport_options"]["visibility_timeout"] == 1200
    assert config["celery"]["task_acks_late"] is True
    assert config["celery"]["worker_prefetch_multiplier"] == 1


def test_a_long_drain_keeps_the_cluster_autoscaler_away_and_reaches_task_pods():
    cfg = stack("staging", executor=BOTH, workload={"longestTaskSeconds": 3000, "drainLimitSeconds": 3600})
    values = compose(cfg)
    celery, kubernetes = values["workers"]["celery"], values["workers"]["kubernetes"]
    assert (celery["terminationGracePeriodSeconds"], celery["safeToEvict"]) == (3060, False)
    assert (kubernetes["terminationGracePeriodSeconds"], kubernetes["safeToEvict"]) == (3060, False)
    assert celery["keda"]["cooldownPeriod"] == 3060
    assert effective_airflow_config(cfg)["celery_broker_transport_options"]["visibility_timeout"] == 6120
    assert schema_errors(values) == []


def test_rabbitmq_gets_no_visibility_timeout_but_its_consumer_timeout_is_judged():
    cfg = stack("prod", broker={"type": "rabbitmq"})
    config = effective_airflow_config(cfg)
    assert "visibility_timeout" not in config.get("celery_broker_transport_options", {})
    assert config["celery"]["task_acks_late"] is True
    long_tasks = {"longestTaskSeconds": 1741, "drainLimitSeconds": 3600}  # 1801 s with the wrap-up
    message = problem_at("prod", "workload.longestTaskSeconds", broker={"type": "rabbitmq"}, workload=long_tasks)
    assert "1800s consumer_timeout" in message
    stack("prod", broker={"type": "rabbitmq"}, workload={**long_tasks, "longestTaskSeconds": 1740})
    stack("prod", workload=long_tasks)  # Redis has no such limit


def test_kubernetes_executor_only_stacks_set_no_celery_options():
    config = effective_airflow_config(stack("dev", executor=KUBERNETES))
    assert "celery_broker_transport_options" not in config


# --- chart values and the real chart ----------------------------------------------------------


def test_worker_set_values_pass_the_chart_schema():
    values = compose(with_heavy())
    assert schema_errors(values) == []
    [heavy] = values["workers"]["celery"]["sets"]
    assert heavy["name"] == heavy["queue"] == "heavy"
    assert heavy["resources"] == HEAVY_WORKER


def render(cfg) -> list[dict[str, Any]]:
    from components.plan.render import render_chart

    names = names_of(cfg)
    text = render_chart(Path(chart_archive()), compose(cfg), names.release, names.namespace)
    return [document for document in yaml.safe_load_all(text) if document]


@cache
def rendered_heavy() -> tuple[dict[str, Any], ...]:
    return tuple(render(with_heavy()))


def of_kind(kind: str) -> dict[str, dict[str, Any]]:
    return {d["metadata"]["name"]: d for d in rendered_heavy() if d["kind"] == kind}


def _worker_container(deployment: dict[str, Any]) -> dict[str, Any]:
    [worker] = [c for c in deployment["spec"]["template"]["spec"]["containers"] if c["name"] == "worker"]
    return worker


def test_the_chart_renders_a_worker_deployment_per_queue_listening_on_its_queue():
    deployments = of_kind("Deployment")
    heavy, default = (
        _worker_container(deployments["airflow-worker-heavy"]),
        _worker_container(deployments["airflow-worker"]),
    )
    assert heavy["args"][-1].split() == ["exec", "\\", "airflow", "celery", "worker", "-q", "heavy"]
    assert "-q" not in default["args"][-1]  # the default set consumes `default`
    assert {"name": "AIRFLOW__CELERY__WORKER_CONCURRENCY", "value": "2"} in heavy["env"]
    assert not any(env["name"] == "AIRFLOW__CELERY__WORKER_CONCURRENCY" for env in default["env"])
    assert heavy["resources"] == HEAVY_WORKER
    for name in ("airflow-worker", "airflow-worker-heavy"):
        pod = deployments[name]["spec"]["template"]
        assert pod["spec"]["terminationGracePeriodSeconds"] == 600
        assert pod["metadata"]["annotations"]["cluster-autoscaler.kubernetes.io/safe-to-evict"] == "true"


def test_worker_sets_share_the_workers_account_and_render_nothing_twice():
    rendered = [(d["kind"], d["metadata"]["name"]) for d in rendered_heavy()]
    assert sorted({item for item in rendered if rendered.count(item) > 1}) == []
    [account] = of_kind("ServiceAccount")["airflow-worker"]["metadata"]["annotations"].values()
    assert account == "arn:aws:iam::123456789012:role/airflow-workers"
    heavy = of_kind("Deployment")["airflow-worker-heavy"]["spec"]["template"]["spec"]
    assert heavy["serviceAccountName"] == "airflow-worker"


def test_the_chart_renders_a_scaler_per_queue():
    scalers = of_kind("ScaledObject")
    heavy, default = scalers["airflow-worker-heavy"]["spec"], scalers["airflow-worker"]["spec"]
    assert (heavy["minReplicaCount"], heavy["maxReplicaCount"], heavy["cooldownPeriod"]) == (2, 5, 600)
    assert (default["minReplicaCount"], default["maxReplicaCount"]) == (2, 9)
    assert heavy["scaleTargetRef"]["name"] == "airflow-worker-heavy"
    heavy_query, default_query = heavy["triggers"][0]["metadata"]["query"], default["triggers"][0]["metadata"]["query"]
    assert "/ 2)" in heavy_query
    assert "queue = 'heavy'" in heavy_query
    assert "/ 15)" in default_query
    assert "'default'" in default_query
    assert "heavy" not in default_query


def test_every_worker_pod_is_under_exactly_one_disruption_budget():
    """The eviction API refuses a pod two budgets select, so a node drain would stall on it."""
    budgets = [budget["spec"] for budget in of_kind("PodDisruptionBudget").values()]
    for name in ("airflow-worker", "airflow-worker-heavy"):
        labels = of_kind("Deployment")[name]["spec"]["template"]["metadata"]["labels"]
        covering = [b for b in budgets if b["selector"]["matchLabels"].items() <= labels.items()]
        assert len(covering) == 1, (name, covering)
        assert covering[0]["maxUnavailable"] == 1


def test_task_pods_wait_for_their_task_before_sigterm():
    cfg = stack("staging", executor=BOTH, workload={"queues": [HEAVY]})
    documents = render(cfg)
    [config_map] = [d for d in documents if d["kind"] == "ConfigMap" and d["metadata"]["name"] == "airflow-config"]
    pod = yaml.safe_load(config_map["data"]["pod_template_file.yaml"])
    assert pod["spec"]["terminationGracePeriodSeconds"] == 600
    [base] = [c for c in pod["spec"]["containers"] if c["name"] == "base"]
    assert "kill -0 1" in " ".join(base["lifecycle"]["preStop"]["exec"]["command"])
    [scaler] = [
        d["spec"] for d in documents if d["kind"] == "ScaledObject" and d["metadata"]["name"] == "airflow-worker-heavy"
    ]
    # Tasks sent to the KubernetesExecutor keep their queue but do not need a worker.
    assert "executor IS DISTINCT FROM 'KubernetesExecutor'" in scaler["triggers"][0]["metadata"]["query"]


@settings(max_examples=40, deadline=None)
@given(
    task_cpu=st.integers(100, 4000),
    task_gib=st.integers(1, 16),
    worker_cpu=st.integers(1, 16),
    worker_gib=st.integers(2, 64),
    peak=st.integers(1, 400),
)
def test_every_valid_queue_carries_its_peak_within_the_database(task_cpu, task_gib, worker_cpu, worker_gib, peak):
    """Whatever the sizes, a queue the checks accept has workers for its whole peak, and a set of its own."""
    queue = {
        "name": "q",
        "peakRunningTasks": peak,
        "taskResources": sized(f"{task_cpu}m", f"{task_gib}Gi", f"{task_cpu}m", f"{task_gib}Gi"),
        "workerResources": sized(str(worker_cpu), f"{worker_gib}Gi", str(worker_cpu), f"{worker_gib}Gi"),
    }
    values = raw_values("prod", workload={"queues": [queue]}, database={"maxConnections": 5000})
    fits = worker_cpu * 1000 >= task_cpu and worker_gib * 1024 - 512 >= task_gib * 1024
    if not fits:
        with pytest.raises(ConfigError) as refused:
            validated_stack_config("prop", values, secret_keys_of(values))
        keys = {problem.key for problem in refused.value.problems}
        assert keys <= {"workload.queues[0].taskResources", "workload.queues[0].taskResources.requests.cpu"}
        return
    cfg = validated_stack_config("prop", values, secret_keys_of(values))
    [sized_queue] = derive_tuning(cfg).queues
    assert sized_queue.slots >= peak
    assert sized_queue.worker_concurrency <= worker_cpu * 1000 // task_cpu
    [worker_set] = compose(cfg)["workers"]["celery"]["sets"]
    assert worker_set["queue"] == "q"
