"""The workload a stack declares, and explicit overrides of what the kit derives from it."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from ..base import KitModel, PositiveInt, Resources


class WorkloadSection(KitModel):
    peak_running_tasks: PositiveInt = Field(description="Most tasks running at once across the deployment.")
    max_active_runs_per_dag: PositiveInt = Field(
        description="`[core] max_active_runs_per_dag`: DAG default for concurrent runs."
    )
    max_active_tasks_per_dag: PositiveInt = Field(
        description="`[core] max_active_tasks_per_dag`: DAG default for concurrent tasks."
    )
    task_resources: Resources = Field(description="Size of one task (a Celery slot, or a KubernetesExecutor pod).")
    peak_deferred_tasks: Annotated[int, Field(ge=0)] = Field(
        default=0,
        description="Most tasks deferred at once (sensors and operators waiting on the triggerer), asset "
        "watchers included; checked against triggerer.replicas × triggerer.capacity with one triggerer down.",
    )


class TuningSection(KitModel):
    """Explicit overrides of derived settings; each is checked like the derived value."""

    parallelism: PositiveInt | None = Field(
        default=None, description="`[core] parallelism` (per scheduler). Default: derived."
    )
    default_pool_task_slot_count: PositiveInt | None = Field(
        default=None,
        description="`[core] default_pool_task_slot_count`. Default: derived (Airflow's 128 caps silently).",
    )
    sql_alchemy_pool_size: Annotated[int, Field(ge=0)] | None = Field(
        default=None, description="`[database] sql_alchemy_pool_size`. Default: derived."
    )
    sql_alchemy_max_overflow: Annotated[int, Field(ge=0)] | None = Field(
        default=None, description="`[database] sql_alchemy_max_overflow`. Default: derived."
    )
