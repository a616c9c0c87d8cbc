"""Which tiers may run which executor: the LocalExecutor only where an outage is acceptable."""

from __future__ import annotations

from collections.abc import Iterator

from ..errors import Problem
from ..executors import LOCAL
from ..model import StackConfig
from ..rule import rule

LOCAL_EXECUTOR_TIERS = ("local", "dev")


@rule("tier", "executor")
def local_executor_only_below_staging(cfg: StackConfig, _explicit: frozenset[str]) -> Iterator[Problem]:
    if cfg.uses_local_executor and cfg.tier not in LOCAL_EXECUTOR_TIERS:
        yield Problem(
            "executor",
            f"'{LOCAL}' runs every task as a process of a scheduler pod: a scheduler rollout, eviction or lost "
            "node kills the tasks it runs, and the schedulers' size caps the deployment. The "
            f"'{cfg.tier}' tier allows 'CeleryExecutor', 'KubernetesExecutor' or "
            "'CeleryExecutor,KubernetesExecutor'; LocalExecutor is for the 'local' and 'dev' tiers",
        )
