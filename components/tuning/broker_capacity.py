"""Can the Amazon MQ broker hold the connections Celery opens? (pure)

Per Celery worker, at most ``WORKER_CONNECTIONS``: its consumer, its event and remote-control
connection, and its producer pool (Airflow's tasks publish nothing themselves). Per scheduler,
Celery's producer pool, ``broker_pool_limit`` (10 by default), which the CeleryExecutor uses to
send tasks. Amazon MQ caps connections per broker node by instance type (AWS's sizing
guidelines for RabbitMQ); a three-node cluster must carry them with one node down, while its
clients reconnect to the other two.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from ..config.errors import Problem
from ..config.model import StackConfig
from ..config.rule import rule
from ..config.sections.aws import RABBITMQ_CLUSTER
from .derive import DERIVATION_SECTIONS, derive_tuning

WORKER_CONNECTIONS = 3
CELERY_BROKER_POOL_LIMIT = 10
CLUSTER_NODES = 3
# Connections one broker node accepts, by instance type (Amazon MQ for RabbitMQ sizing guidelines).
CONNECTIONS_PER_NODE = {
    "mq.t3.micro": 500,
    "mq.m5.large": 5_000,
    "mq.m5.xlarge": 10_000,
    "mq.m5.2xlarge": 20_000,
    "mq.m5.4xlarge": 40_000,
}


@dataclass(frozen=True)
class BrokerConnections:
    workers: int
    schedulers: int
    limit: int | None  # None: an instance type the kit has no figure for
    nodes_counted: int  # nodes that carry the connections: one, or a cluster less one node

    @property
    def total(self) -> int:
        return self.workers + self.schedulers


def rabbitmq_connections(cfg: StackConfig) -> BrokerConnections | None:
    """Celery's connections to the Amazon MQ broker; None without one."""
    if not cfg.uses_rabbitmq or cfg.rabbitmq is None:
        return None
    tuning = derive_tuning(cfg)
    # The default workers and every queue's worker set.
    workers = (tuning.max_celery_workers or 0) + sum(queue.max_workers for queue in tuning.queues)
    per_node = CONNECTIONS_PER_NODE.get(cfg.rabbitmq.instance_type)
    nodes = CLUSTER_NODES - 1 if cfg.rabbitmq.deployment_mode == RABBITMQ_CLUSTER else 1
    return BrokerConnections(
        workers=workers * WORKER_CONNECTIONS,
        schedulers=cfg.scheduler.replicas * CELERY_BROKER_POOL_LIMIT,
        limit=None if per_node is None else per_node * nodes,
        nodes_counted=nodes,
    )


@rule(*DERIVATION_SECTIONS, "broker", "rabbitmq")
def rabbitmq_holds_the_connections(cfg: StackConfig, _explicit: frozenset[str]) -> Iterator[Problem]:
    connections = rabbitmq_connections(cfg)
    if connections is None or connections.limit is None or connections.total <= connections.limit:
        return
    assert cfg.rabbitmq is not None  # rabbitmq_connections returns None without it
    nodes = "one node" if connections.nodes_counted == 1 else f"{connections.nodes_counted} nodes (one of 3 down)"
    yield Problem(
        "rabbitmq.instanceType",
        f"Celery may open {connections.total} broker connections ({connections.workers // WORKER_CONNECTIONS} "
        f"workers (celery.workers.maxReplicas and the queues' worker sets) × {WORKER_CONNECTIONS} + scheduler.replicas "
        f"{cfg.scheduler.replicas} × broker_pool_limit {CELERY_BROKER_POOL_LIMIT}), but {cfg.rabbitmq.instance_type} "
        f"on {nodes} accepts {connections.limit}; choose a larger instance type or fewer workers",
    )
