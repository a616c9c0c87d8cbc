"""The kit's Airflow options for live logs, dead workers and broker outages, per tier and as overridden."""

from __future__ import annotations

import importlib.util
from types import SimpleNamespace

import pytest

from components.values.recovery import PUBLISH_RETRY_POLICY, PUBLISH_TIMEOUT_SECONDS, publish_tries
from tests.support.airflow import CHART_VALUES, effective_airflow_config
from tests.support.stacks import problem_at, stack

AIRFLOW_DEFAULT_HEARTBEAT_TIMEOUT = 300  # Airflow 3.2.2's `[scheduler] task_instance_heartbeat_timeout`


def _policy_module():
    spec = importlib.util.spec_from_file_location("kit_local_settings", CHART_VALUES / "airflow_local_settings.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("tier", ["local", "dev", "staging", "prod"])
def test_every_tier_records_the_pod_address_as_the_task_hostname(tier):
    assert effective_airflow_config(stack(tier))["core"]["hostname_callable"] == "airflow.utils.net.get_host_ip_address"


@pytest.mark.parametrize(
    ("tier", "timeout", "retries", "delay"),
    [("local", 60, 0, 30), ("dev", 90, 1, 30), ("staging", 120, 2, 60), ("prod", 120, 2, 60)],
)
def test_tier_recovery_figures(tier, timeout, retries, delay):
    config = effective_airflow_config(stack(tier))
    assert config["scheduler"]["task_instance_heartbeat_timeout"] == timeout < AIRFLOW_DEFAULT_HEARTBEAT_TIMEOUT
    assert config["core"]["default_task_retries"] == retries
    assert config["core"]["default_task_retry_delay"] == delay


def test_stack_keys_override_the_tier():
    config = effective_airflow_config(
        stack("prod", recovery={"taskHeartbeatTimeoutSeconds": 200, "defaultTaskRetries": 5})
    )
    assert config["scheduler"]["task_instance_heartbeat_timeout"] == 200
    assert config["core"]["default_task_retries"] == 5


@pytest.mark.parametrize(
    ("section", "option", "key"),
    [
        ("core", "default_task_retries", "recovery.defaultTaskRetries"),
        ("scheduler", "task_instance_heartbeat_timeout", "recovery.taskHeartbeatTimeoutSeconds"),
        ("celery", "task_publish_max_retries", "recovery.brokerOutageToleranceSeconds"),
    ],
)
def test_airflow_config_cannot_bypass_the_recovery_keys(section, option, key):
    message = problem_at("prod", f"airflow.config.{section}.{option}", airflow={"config": {section: {option: 5}}})
    assert key in message


def test_a_heartbeat_timeout_below_airflow_heartbeats_is_refused():
    message = problem_at("prod", "recovery.taskHeartbeatTimeoutSeconds", recovery={"taskHeartbeatTimeoutSeconds": 10})
    assert "30" in message


def test_a_refused_publish_is_retried_past_the_timeout_so_the_executor_tries_again():
    """Celery must still be retrying when the alarm fires: only a timed-out publish is re-sent later."""
    waits, interval = 0.0, PUBLISH_RETRY_POLICY["interval_start"]
    for _ in range(PUBLISH_RETRY_POLICY["max_retries"]):
        waits += min(interval, PUBLISH_RETRY_POLICY["interval_max"])
        interval += PUBLISH_RETRY_POLICY["interval_step"]
    assert waits > PUBLISH_TIMEOUT_SECONDS


@pytest.mark.parametrize("tolerance", [0, 1, 59, 60, 61, 120, 600])
def test_publish_tries_span_the_tolerated_outage(tolerance):
    # Each try during an outage lasts the whole timeout at least.
    assert publish_tries(tolerance) * PUBLISH_TIMEOUT_SECONDS >= tolerance
    assert (publish_tries(tolerance) - 1) * PUBLISH_TIMEOUT_SECONDS < max(tolerance, PUBLISH_TIMEOUT_SECONDS)


def test_the_celery_options_follow_the_stack_tolerance():
    config = effective_airflow_config(stack("prod", recovery={"brokerOutageToleranceSeconds": 300}))
    assert config["celery"]["task_publish_max_retries"] == 150
    assert config["celery"]["operation_timeout"] == PUBLISH_TIMEOUT_SECONDS
    assert '"task_publish_retry_policy"' in config["celery"]["extra_celery_config"]


def test_a_stack_without_celery_sets_no_celery_options():
    assert "celery" not in effective_airflow_config(stack("dev"))


def _context(try_number, max_tries, state=None):
    return {"ti": SimpleNamespace(try_number=try_number, max_tries=max_tries, state=state, task_id="t")}


@pytest.mark.parametrize(
    ("try_number", "max_tries", "state", "retried"),
    [
        (1, 2, None, True),  # a dead worker's first of three tries: the scheduler retries it
        (3, 2, None, False),  # the last try
        (1, 0, None, False),  # no retries at all
        (2, 2, "running", True),
        (1, 2, "failed", False),  # failed for good while tries were left (AirflowFailException)
    ],
)
def test_the_slack_policy_knows_which_failures_are_retried(try_number, max_tries, state, retried):
    assert _policy_module().will_be_retried(_context(try_number, max_tries, state)) is retried


def test_an_own_celery_config_without_the_publish_retries_is_refused():
    own = {"airflow": {"config": {"celery": {"extra_celery_config": '{"worker_max_tasks_per_child": 50}'}}}}
    message = problem_at("prod", "airflow.config.celery.extra_celery_config", **own)
    assert '"task_publish_retry_policy"' in message
    not_json = {"airflow": {"config": {"celery": {"extra_celery_config": "worker_max_tasks_per_child=50"}}}}
    assert "JSON object" in problem_at("prod", "airflow.config.celery.extra_celery_config", **not_json)


def test_an_own_celery_config_that_keeps_the_publish_retries_replaces_the_kits():
    own = '{"task_publish_retry_policy": {"max_retries": 20}, "worker_max_tasks_per_child": 50}'
    config = effective_airflow_config(stack("prod", airflow={"config": {"celery": {"extra_celery_config": own}}}))
    assert config["celery"]["extra_celery_config"] == own
