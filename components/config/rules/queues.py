"""Queues must be served: each by exactly one Celery worker set, and tasks must land on one."""

from __future__ import annotations

from collections.abc import Iterator

from ..errors import Problem
from ..model import StackConfig
from ..rule import rule
from ..sections.workload import DEFAULT_QUEUE


@rule("executor", "workload")
def queues_have_worker_sets(cfg: StackConfig, _explicit: frozenset[str]) -> Iterator[Problem]:
    if cfg.uses_celery:
        return
    for index, queue in enumerate(cfg.workload.queues):
        yield Problem(
            f"workload.queues[{index}].name",
            f"no worker set serves queue '{queue.name}': worker sets are Celery workers, and executor "
            f"{cfg.executor} runs none; use CeleryExecutor (or CeleryExecutor,KubernetesExecutor), or remove the queue",
        )


@rule("workload")
def queue_names_unique(cfg: StackConfig, _explicit: frozenset[str]) -> Iterator[Problem]:
    seen = {DEFAULT_QUEUE: "the default queue (workload.peakRunningTasks, workload.taskResources)"}
    for index, queue in enumerate(cfg.workload.queues):
        if queue.name in seen:
            yield Problem(
                f"workload.queues[{index}].name",
                f"'{queue.name}' is already declared by {seen[queue.name]}; each queue has one worker set, "
                "so queue names must be unique",
            )
        else:
            seen[queue.name] = f"workload.queues[{index}]"


@rule("executor", "workload", "airflow")
def default_queue_is_served(cfg: StackConfig, _explicit: frozenset[str]) -> Iterator[Problem]:
    """Tasks without ``queue=`` go to ``[operators] default_queue``: a worker set must listen there."""
    default = cfg.airflow.config.get("operators", {}).get("default_queue")
    if not cfg.uses_celery or default is None or default == DEFAULT_QUEUE:
        return
    if str(default) not in {queue.name for queue in cfg.workload.queues}:
        served = ", ".join([DEFAULT_QUEUE, *(queue.name for queue in cfg.workload.queues)])
        yield Problem(
            "airflow.config.operators.default_queue",
            f"no worker set serves queue '{default}', so every task without queue= would wait forever; "
            f"the worker sets serve: {served}",
        )
