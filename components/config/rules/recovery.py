"""A stack's own Celery config must keep the publish retries that ride out a broker outage."""

from __future__ import annotations

import json
from collections.abc import Iterator

from ..errors import Problem
from ..model import StackConfig
from ..rule import rule

PUBLISH_RETRY_KEY = "task_publish_retry_policy"


@rule("airflow", "executor")
def own_celery_config_keeps_publish_retries(cfg: StackConfig, _explicit: frozenset[str]) -> Iterator[Problem]:
    """``airflow.config.celery.extra_celery_config`` replaces the kit's whole value (ADR 0007)."""
    value = cfg.airflow.config.get("celery", {}).get("extra_celery_config")
    if value is None or not cfg.uses_celery:
        return
    key = "airflow.config.celery.extra_celery_config"
    try:
        parsed = json.loads(value) if isinstance(value, str) else None
    except ValueError:
        parsed = None
    if not isinstance(parsed, dict):
        yield Problem(key, "must be a JSON object on one line, as Airflow reads it")
    elif PUBLISH_RETRY_KEY not in parsed:
        yield Problem(
            key,
            f"replaces the kit's, which holds \"{PUBLISH_RETRY_KEY}\": keep that key (Celery's publish retries "
            "that ride out a broker failover, see docs/adr/0007-dead-workers-and-broker-outages.md)",
        )
