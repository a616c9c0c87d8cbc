"""Where tasks run: Celery workers, KubernetesExecutor task pods."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from ..base import KitModel, PositiveInt, Resources, Toleration


class CeleryWorkersSection(KitModel):
    resources: Resources = Field(description="Size of one Celery worker pod.")
    concurrency: PositiveInt | None = Field(
        default=None, description="`[celery] worker_concurrency`. Default: derived from worker and task size."
    )
    min_replicas: Annotated[int, Field(ge=0)] | None = Field(
        default=None, description="KEDA minimum workers. Default: derived."
    )
    max_replicas: PositiveInt | None = Field(
        default=None,
        description="Most workers: KEDA's maximum, or the fixed worker count when KEDA is off. Default: derived "
        "from the peak.",
    )
    keda: bool = Field(description="Autoscale workers with KEDA (needs KEDA in the cluster).")


class CelerySection(KitModel):
    workers: CeleryWorkersSection = Field(description="The Celery worker pods.")


class KubernetesExecutorSection(KitModel):
    node_selector: dict[str, str] = Field(default_factory=dict, description="Node selector of task pods.")
    tolerations: list[Toleration] = Field(default_factory=list, description="Tolerations of task pods.")
    max_task_pods: PositiveInt | None = Field(
        default=None,
        description="Task pods the cluster can hold at once (the KubernetesExecutor's slot budget). Default: the peak.",
    )
    worker_pods_creation_batch_size: PositiveInt | None = Field(
        default=None, description="`[kubernetes_executor] worker_pods_creation_batch_size`. Default: derived."
    )
