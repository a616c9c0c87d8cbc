"""Slack failure alerts as typed data, and the connection they post through (pure)."""

from __future__ import annotations

import json
from dataclasses import dataclass

from pydantic import SecretStr

from ..config.model import StackConfig

SLACK_WEBHOOK_CONN_TYPE = "slackwebhook"


@dataclass(frozen=True)
class SlackAlerts:
    conn_id: str
    webhook_url: SecretStr
    # The cluster policy gives every task without an `on_failure_callback` of its own one that posts.
    notify_on_task_failure: bool


def slack_alerts(cfg: StackConfig) -> SlackAlerts | None:
    """None when Slack is off. On, the config rules guarantee the webhook secret."""
    webhook = cfg.secrets.slack_webhook_url
    if not cfg.slack.enabled or webhook is None:
        return None
    return SlackAlerts(cfg.slack.conn_id, webhook, cfg.slack.notify_on_task_failure)


def slack_connection_json(alerts: SlackAlerts) -> str:
    """The Slack webhook connection (secret: the URL is the credential), in the JSON form Airflow
    reads everywhere (``Connection.from_json``): ``SlackWebhookHook`` takes the URL from the password."""
    fields = {"conn_type": SLACK_WEBHOOK_CONN_TYPE, "password": alerts.webhook_url.get_secret_value()}
    return json.dumps(fields, separators=(",", ":"), sort_keys=True)
