"""How the deployment rides out a dead worker and a broker failover (tier defaults in ``tiers.py``)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from ..base import KitModel


class RecoverySection(KitModel):
    task_heartbeat_timeout_seconds: Annotated[int, Field(ge=30, le=3600)] = Field(
        description="`[scheduler] task_instance_heartbeat_timeout`: how long a running task may go without a "
        "heartbeat before the scheduler declares its worker dead and fails or retries it. Shorter recovers a "
        "killed worker pod sooner; too short kills healthy tasks during an api-server or database hiccup.",
    )
    default_task_retries: Annotated[int, Field(ge=0, le=10)] = Field(
        description="`[core] default_task_retries`: retries of a task whose DAG sets none. A retry re-runs the "
        "task: DAG authors set `retries=0` on tasks that must not run twice.",
    )
    default_retry_delay_seconds: Annotated[int, Field(ge=0, le=86400)] = Field(
        description="`[core] default_task_retry_delay`: seconds between a failed try and its retry.",
    )
    broker_outage_tolerance_seconds: Annotated[int, Field(ge=0, le=600)] = Field(
        default=120,
        description="Longest Celery broker outage (a Redis failover) during which the scheduler keeps "
        "re-publishing a task instead of failing it; sets `[celery] task_publish_max_retries`.",
    )
