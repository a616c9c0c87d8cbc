"""Capacity checks of the LocalExecutor, whose tasks run inside the scheduler pods (pure).

Each scheduler runs up to ``[core] parallelism`` tasks as its own child processes, so a
scheduler pod must hold that many tasks of ``workload.taskResources`` beside its own process,
and the schedulers left when one is down must still carry the peak.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

from ..config.errors import Problem
from ..config.model import StackConfig
from ..config.rule import rule
from .derive import DERIVATION_SECTIONS, SCHEDULER_PROCESS_MEMORY_BYTES, derive_tuning, scheduler_task_fit

_RESERVED = f"{SCHEDULER_PROCESS_MEMORY_BYTES // 2**20}Mi"


@rule(*DERIVATION_SECTIONS)
def schedulers_carry_the_peak(cfg: StackConfig, _explicit: frozenset[str]) -> Iterator[Problem]:
    if not cfg.uses_local_executor:
        return
    fit = scheduler_task_fit(cfg)
    scheduler, task = cfg.scheduler.resources, cfg.workload.task_resources
    sizes = (
        f"scheduler.resources {scheduler.requests.cpu} CPU / {(scheduler.limits or scheduler.requests).memory} "
        f"less {_RESERVED} for the scheduler itself, tasks of workload.taskResources {task.requests.cpu} CPU / "
        f"{(task.limits or task.requests).memory}"
    )
    if fit.tasks < 1:
        yield Problem(
            "workload.taskResources",
            f"not one task fits a scheduler pod, where the LocalExecutor runs it ({sizes}); "
            "make the schedulers bigger or the tasks smaller",
        )
        return
    parallelism = cfg.tuning.parallelism
    if parallelism is not None and parallelism > fit.tasks:
        yield Problem(
            "tuning.parallelism",
            f"{parallelism} tasks per scheduler do not fit a scheduler pod: at most {fit.tasks} do ({sizes})",
        )
        return
    tuning = derive_tuning(cfg)
    peak = cfg.workload.peak_running_tasks
    if tuning.total_task_slots >= peak:
        return
    replicas = cfg.scheduler.replicas
    survivors = max(1, replicas - 1)
    yield Problem(
        "tuning.parallelism" if parallelism is not None else "scheduler.resources",
        f"the LocalExecutor runs {tuning.parallelism} tasks per scheduler ({sizes}) × {survivors} scheduler(s) "
        f"left when one of scheduler.replicas {replicas} is down = {tuning.total_task_slots}, fewer than "
        f"workload.peakRunningTasks {peak}. Ways out: schedulers that hold {math.ceil(peak / survivors)} tasks "
        "each, more scheduler.replicas, a lower workload.peakRunningTasks, or executor 'CeleryExecutor' or "
        "'KubernetesExecutor'",
    )
