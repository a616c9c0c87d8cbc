"""Airflow cluster policy of the airflow-ha kit, shipped as the chart's ``airflowLocalSettings``.

Every task without an ``on_failure_callback`` of its own gets one that posts the failure to a
Slack webhook: the DAG, the task, the run and a link to the task's log. DAG authors change
nothing. It posts only a failure that Airflow will not retry (see :func:`will_be_retried`).
The kit switches it on per stack by setting ``AIRFLOW_HA_FAILURE_ALERTS_SLACK_CONN_ID``
(the id of the Slack webhook connection) in every Airflow container; without that variable the
policy leaves every task as it is, so one file serves every stack.

The chart renders this file as a Helm template: it must never contain two opening or two
closing curly braces in a row.
"""

from __future__ import annotations

import logging
import os
from typing import Any

log = logging.getLogger(__name__)
FAILURE_ALERTS_CONN_ID_ENV = "AIRFLOW_HA_FAILURE_ALERTS_SLACK_CONN_ID"


def failure_message(context: dict[str, Any]) -> str:
    """Slack message (mrkdwn) for a failed task instance."""
    ti = context["ti"]
    task = ti.task_id
    if getattr(ti, "map_index", -1) not in (None, -1):
        task = f"{task} [map index {ti.map_index}]"
    return "\n".join(
        [
            ":red_circle: *Airflow task failed*",
            f"*DAG:* {ti.dag_id}",
            f"*Task:* {task}",
            f"*Run:* {ti.run_id} (try {ti.try_number})",
            f"*Log:* <{ti.log_url}|open the log>",
        ]
    )


def will_be_retried(context: dict[str, Any]) -> bool:
    """Whether Airflow retries the try this failure callback is called for.

    A task that fails while it runs gets ``on_failure_callback`` only when it is done for good
    (its state is already ``failed``; a retry gets ``on_retry_callback``). A task whose worker died
    (heartbeat timeout) is reported by the scheduler through ``on_failure_callback`` as well, while
    it is still ``running`` and before Airflow decides: it is retried when tries are left.
    """
    ti = context["ti"]
    state = getattr(ti, "state", None)
    if getattr(state, "value", state) == "failed":
        return False
    max_tries = getattr(ti, "max_tries", None) or 0
    return bool(max_tries) and ti.try_number <= max_tries


class SlackFailureAlert:
    """``on_failure_callback`` posting :func:`failure_message` through a Slack webhook connection.

    The message is built in Python rather than as a notifier's Jinja template (this file is
    itself a Helm template), and ``notify`` is called directly so run ids are never rendered.
    """

    def __init__(self, conn_id: str):
        self.conn_id = conn_id

    def __call__(self, context: dict[str, Any]) -> None:
        if will_be_retried(context):
            ti = context["ti"]
            log.info("No Slack alert for %s: try %s of %s will be retried", ti.task_id, ti.try_number, ti.max_tries + 1)
            return
        from airflow.providers.slack.notifications.slack_webhook import SlackWebhookNotifier

        SlackWebhookNotifier(slack_webhook_conn_id=self.conn_id, text=failure_message(context)).notify(context)

    def __repr__(self) -> str:
        return f"SlackFailureAlert({self.conn_id!r})"


def task_policy(task: Any) -> None:
    conn_id = os.environ.get(FAILURE_ALERTS_CONN_ID_ENV, "").strip()
    if conn_id and not task.on_failure_callback:
        task.on_failure_callback = [SlackFailureAlert(conn_id)]
