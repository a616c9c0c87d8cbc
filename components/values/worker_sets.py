"""One chart worker set (``workers.celery.sets``) per queue in ``workload.queues`` (pure).

The chart's default workers serve the ``default`` queue; each set inherits everything from
``workers.celery`` (service account, placement, PDB, drain) and overrides what its queue needs:
the queue it consumes (the chart's args add ``-q <queue>``), its resources, its concurrency, and
its KEDA bounds. Its pods come under the default workers' disruption budget (see below). The
chart's default KEDA query divides by the global
``config.celery.worker_concurrency``, so each set gets its own query with its own concurrency,
counting only its queue's tasks.
"""

from __future__ import annotations

from typing import Any

from ..config.executors import KUBERNETES
from ..config.model import StackConfig
from ..config.sections.workload import QueueSection
from ..tuning.derive import queue_worker_resources
from ..tuning.model import QueueTuning, Tuning

CONCURRENCY_ENV = "AIRFLOW__CELERY__WORKER_CONCURRENCY"


def queue_worker_sets(cfg: StackConfig, tuning: Tuning) -> list[dict[str, Any]]:
    declared = {queue.name: queue for queue in cfg.workload.queues}
    return [_worker_set(cfg, declared[queue.name], queue) for queue in tuning.queues]


def _worker_set(cfg: StackConfig, queue: QueueSection, sized: QueueTuning) -> dict[str, Any]:
    worker_set: dict[str, Any] = {
        "name": queue.name,
        "queue": queue.name,
        "resources": queue_worker_resources(cfg, queue).model_dump(by_alias=True, exclude_none=True),
        "env": [{"name": CONCURRENCY_ENV, "value": str(sized.worker_concurrency)}],
        # Every set runs as the default workers' account (and its IRSA role): the chart would
        # otherwise render that ServiceAccount once per set, and Helm refuses the duplicate.
        "serviceAccount": {"create": False},
        # The chart's default workers' PDB selects every worker pod (tier, component, release: no
        # set label), so a set's own PDB would cover its pods a second time, and the eviction API
        # refuses to evict a pod under two budgets: node drains would stall. One budget, then,
        # over the workers of every queue.
        "podDisruptionBudget": {"enabled": False},
    }
    if cfg.celery.workers.keda:
        worker_set["keda"] = {
            "minReplicaCount": sized.min_workers,
            "maxReplicaCount": sized.max_workers,
            "query": keda_query(cfg, queue.name, sized.worker_concurrency),
        }
    else:
        worker_set["replicas"] = sized.max_workers
    return worker_set


def keda_query(cfg: StackConfig, queue: str, concurrency: int) -> str:
    """Workers the queue needs now: its queued and running tasks over one worker's slots.

    Queue names are DNS labels (checked in the config), so they are safe inside the quotes."""
    query = (
        f"SELECT ceil(COUNT(*)::decimal / {concurrency}) FROM task_instance "
        f"WHERE (state='running' OR state='queued') AND queue = '{queue}'"
    )
    if cfg.uses_kubernetes_executor:
        # Tasks sent to the KubernetesExecutor keep their queue but run in their own pods.
        query += f" AND executor IS DISTINCT FROM '{KUBERNETES}'"
    return query
