"""Riding out a dead worker and a broker failover, in Airflow's own options (pure).

Dead worker: the scheduler notices a task whose heartbeat stopped after
``[scheduler] task_instance_heartbeat_timeout`` and retries it when the task has retries left
(``[core] default_task_retries`` for DAGs that set none).

Broker outage: the Celery executor publishes each task under a ``[celery] operation_timeout``
alarm. Celery's own publish retries (``task_publish_retry_policy``, by default 3 retries within
0.4 s) give up on "Connection refused" long before the alarm, and the executor fails such a task
at once. Only a publish that times out is tried again, on a later scheduler loop, up to
``[celery] task_publish_max_retries`` times. So the kit makes Celery retry a refused publish for
longer than the alarm: every try during an outage ends as a timeout, each costs at least
``operation_timeout``, and ``task_publish_max_retries`` tries cover the tolerated outage.
See docs/adr/0007-dead-workers-and-broker-outages.md.
"""

from __future__ import annotations

import json
import math

from ..config.model import StackConfig
from ..config.sections.airflow import AirflowConfig

# A publish to ElastiCache takes milliseconds; 2 s leaves room for a TLS handshake after a reconnect.
PUBLISH_TIMEOUT_SECONDS = 2.0
# Celery's waits between publish retries: 0, 0.2, 0.4, then 0.5 s, 4.1 s in all, past the alarm.
PUBLISH_RETRY_POLICY = {"max_retries": 10, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}


def publish_tries(tolerance_seconds: int) -> int:
    """Timed-out publishes the executor retries so that they span ``tolerance_seconds`` at least."""
    return max(1, math.ceil(tolerance_seconds / PUBLISH_TIMEOUT_SECONDS))


def recovery_airflow_config(cfg: StackConfig) -> AirflowConfig:
    recovery = cfg.recovery
    config: AirflowConfig = {
        "core": {
            "default_task_retries": recovery.default_task_retries,
            "default_task_retry_delay": recovery.default_retry_delay_seconds,
        },
        "scheduler": {"task_instance_heartbeat_timeout": recovery.task_heartbeat_timeout_seconds},
    }
    if cfg.uses_celery:
        config["celery"] = {
            "operation_timeout": PUBLISH_TIMEOUT_SECONDS,
            "task_publish_max_retries": publish_tries(recovery.broker_outage_tolerance_seconds),
            "extra_celery_config": json.dumps(
                {"task_publish_retry_policy": PUBLISH_RETRY_POLICY}, separators=(",", ":"), sort_keys=True
            ),
        }
    return config
