"""Trigger rules: ``one_success``, ``none_failed`` and ``all_failed``.

``primary`` succeeds and ``mirror`` skips itself (nothing to read today). ``merge`` runs as soon as
one source succeeded (``one_success``); ``publish`` runs when no source failed, skipped ones
allowed (``none_failed``). ``probe`` fails on purpose and ``fallback`` (``all_failed``) takes over;
``fallback`` is a leaf that succeeds, so the run succeeds. (With Slack alerts on, the platform's
task-failure alert still reports ``probe``: give it its own ``on_failure_callback`` to change that.)
"""

from __future__ import annotations

import pendulum
from airflow.sdk import TriggerRule, dag, task
from airflow.sdk.exceptions import AirflowSkipException


@dag(
    dag_id="example_trigger_rules",
    schedule=None,
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    default_args={"retries": 0},
    tags=["example", "trigger-rules"],
)
def trigger_rules():
    @task
    def primary() -> str:
        return "primary"

    @task
    def mirror() -> str:
        raise AirflowSkipException("the mirror has nothing today")

    @task(trigger_rule=TriggerRule.ONE_SUCCESS)
    def merge() -> str:
        return "merged"

    @task(trigger_rule=TriggerRule.NONE_FAILED)
    def publish() -> str:
        return "published"

    @task(trigger_rule=TriggerRule.ALL_FAILED)
    def alert_both_sources_failed() -> None:
        raise RuntimeError("never runs: a source succeeded")

    @task
    def probe() -> None:
        raise RuntimeError("the preferred endpoint is down (on purpose)")

    @task(trigger_rule=TriggerRule.ALL_FAILED)
    def fallback() -> str:
        return "used the fallback endpoint"

    sources = [primary(), mirror()]
    sources >> merge()
    sources >> publish()
    sources >> alert_both_sources_failed()
    probe() >> fallback()


trigger_rules()
