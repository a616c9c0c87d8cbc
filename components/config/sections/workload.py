"""The workload a stack declares, and explicit overrides of what the kit derives from it."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field

from .. import name_syntax
from ..base import KitModel, PositiveInt, Resources

# The queue the chart's default worker set serves, and Airflow's `[operators] default_queue`.
DEFAULT_QUEUE = "default"
# EKS managed node groups evict a node's pods for at most 15 minutes during an update before the
# update fails (or, when forced, deletes what is left): a longer drain cannot be honoured there.
EKS_NODE_DRAIN_SECONDS = 900


def _queue_name(value: str) -> str:
    # The name becomes the worker set's name: part of its Deployment, ScaledObject and PDB names.
    broken = name_syntax.dns_label(value)
    if broken:
        raise ValueError(f"'{value}' {broken}")
    return value


QueueName = Annotated[str, AfterValidator(_queue_name)]


class QueueSection(KitModel):
    """A Celery queue with its own worker set (the chart's `workers.celery.sets`)."""

    name: QueueName = Field(
        description='Celery queue name; DAG authors route a task to it with `queue="<name>"`. '
        "It also names the worker set (`<release>-worker-<name>`)."
    )
    peak_running_tasks: PositiveInt = Field(description="Most tasks running at once on this queue.")
    task_resources: Resources = Field(description="Size of one task on this queue (a Celery slot).")
    worker_resources: Resources | None = Field(
        default=None, description="Size of one worker pod of this queue. Default: `celery.workers.resources`."
    )


class WorkloadSection(KitModel):
    peak_running_tasks: PositiveInt = Field(
        description="Most tasks running at once on the default queue and in KubernetesExecutor pods "
        "(the whole deployment when `workload.queues` is empty)."
    )
    max_active_runs_per_dag: PositiveInt = Field(
        description="`[core] max_active_runs_per_dag`: DAG default for concurrent runs."
    )
    max_active_tasks_per_dag: PositiveInt = Field(
        description="`[core] max_active_tasks_per_dag`: DAG default for concurrent tasks."
    )
    task_resources: Resources = Field(description="Size of one task (a Celery slot, or a KubernetesExecutor pod).")
    queues: list[QueueSection] = Field(
        default_factory=list,
        description="Celery queues besides `default`, each served by its own worker set sized for its tasks: "
        "`name` (a DNS label; tasks route to it with `queue=`), `peakRunningTasks`, `taskResources`, and optionally "
        "`workerResources` (default: `celery.workers.resources`). See docs/runbooks/capacity-planning.md.",
    )
    longest_task_seconds: PositiveInt = Field(
        description="Longest normal task run, in seconds: workers stopped by a scale-down, rollout or node "
        "drain wait this long for running tasks to finish (graceful drain)."
    )
    drain_limit_seconds: PositiveInt = Field(
        default=EKS_NODE_DRAIN_SECONDS,
        description="Longest drain the cluster honours, in seconds. Default: 900, the 15 minutes an EKS managed "
        "node group update waits for a node's pods; raise it only where nodes wait longer (self-managed nodes, "
        "Karpenter's `terminationGracePeriod`).",
    )

    @property
    def deployment_peak(self) -> int:
        """Most tasks running at once across every queue and executor."""
        return self.peak_running_tasks + sum(queue.peak_running_tasks for queue in self.queues)

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
