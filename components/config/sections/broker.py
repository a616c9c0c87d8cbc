"""Which Celery broker the AWS tiers provision."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ..base import KitModel

REDIS = "redis"
RABBITMQ = "rabbitmq"


class BrokerSection(KitModel):
    type: Literal["redis", "rabbitmq"] = Field(
        default="redis",
        description="The Celery broker: `redis` (ElastiCache, section `redis`) or `rabbitmq` (Amazon MQ, "
        "section `rabbitmq`). Applies to executors with `CeleryExecutor`; the `local` tier runs Redis.",
    )
