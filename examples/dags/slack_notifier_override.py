"""A Slack notifier of its own instead of the platform's default alert.

With ``slack.enabled`` the platform's cluster policy gives every task without an
``on_failure_callback`` the platform's Slack alert. A DAG that wants another channel, another
text or another connection sets its own: here ``SlackWebhookNotifier`` through the connection
``slack_data_team`` (a Slack incoming-webhook connection in the secrets backend), with a message
naming the DAG and the task. The policy leaves tasks that have their own callback alone.
"""

from __future__ import annotations

import pendulum
from airflow.providers.slack.notifications.slack_webhook import SlackWebhookNotifier
from airflow.sdk import dag, task

TEAM_ALERT = SlackWebhookNotifier(
    slack_webhook_conn_id="slack_data_team",
    text=":red_circle: {{ dag.dag_id }}.{{ ti.task_id }} failed (try {{ ti.try_number }}): {{ exception }}",
)


@dag(
    dag_id="example_slack_notifier_override",
    schedule=None,
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    default_args={"on_failure_callback": TEAM_ALERT},
    tags=["example", "alerts"],
)
def slack_notifier_override():
    @task
    def load() -> str:
        return "loaded"

    load()


slack_notifier_override()
