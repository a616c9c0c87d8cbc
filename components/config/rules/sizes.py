"""Requests, limits and worker bounds that contradict themselves."""

from __future__ import annotations

from collections.abc import Iterator

from ..base import Resources
from ..errors import Problem
from ..model import StackConfig
from ..quantities import cpu_cores, memory_bytes
from ..registry import SIZED_COMPONENTS
from ..rule import rule


@rule(*dict.fromkeys(component.section for component in SIZED_COMPONENTS), "workload")
def limits_not_below_requests(cfg: StackConfig, _explicit: frozenset[str]) -> Iterator[Problem]:
    sized: dict[str, Resources] = {
        component.resources_key(): component.resources(cfg) for component in SIZED_COMPONENTS
    }
    sized["workload.taskResources"] = cfg.workload.task_resources
    for prefix, resources in sized.items():
        if resources.limits is None:
            continue
        if cpu_cores(resources.limits.cpu) < cpu_cores(resources.requests.cpu):
            yield Problem(
                f"{prefix}.limits.cpu", f"{resources.limits.cpu} is below the request {resources.requests.cpu}"
            )
        if memory_bytes(resources.limits.memory) < memory_bytes(resources.requests.memory):
            yield Problem(
                f"{prefix}.limits.memory",
                f"{resources.limits.memory} is below the request {resources.requests.memory}",
            )


@rule("celery")
def worker_bounds_ordered(cfg: StackConfig, _explicit: frozenset[str]) -> Iterator[Problem]:
    workers = cfg.celery.workers
    if (
        workers.min_replicas is not None
        and workers.max_replicas is not None
        and workers.min_replicas > workers.max_replicas
    ):
        yield Problem(
            "celery.workers.minReplicas",
            f"{workers.min_replicas} is above celery.workers.maxReplicas ({workers.max_replicas})",
        )
