"""The Celery broker must fit the stack: an executor that uses one, a tier that has AWS for
Amazon MQ, the section of the broker chosen and not the other's, and a RabbitMQ deployment
that AWS accepts and that the tier's floors allow."""

from __future__ import annotations

from collections.abc import Iterator

from ..errors import Problem
from ..model import StackConfig
from ..rule import rule
from ..sections.aws import RABBITMQ_CLUSTER

# Amazon MQ runs mq.t3.micro brokers as single instances only.
SINGLE_INSTANCE_ONLY_TYPES = frozenset({"mq.t3.micro"})


@rule("tier", "executor", "broker")
def broker_fits_the_stack(cfg: StackConfig, explicit: frozenset[str]) -> Iterator[Problem]:
    wants_rabbitmq = cfg.broker.type == "rabbitmq"
    if wants_rabbitmq and not cfg.uses_celery:
        yield Problem(
            "broker.type",
            f"'rabbitmq' is a Celery broker, but executor '{cfg.executor}' runs no Celery workers and needs no "
            "broker. Remove broker.type, or use executor 'CeleryExecutor' or 'CeleryExecutor,KubernetesExecutor'",
        )
    if wants_rabbitmq and not cfg.on_aws:
        yield Problem(
            "broker.type",
            "'rabbitmq' is Amazon MQ, which needs an AWS tier; the 'local' tier runs the chart's in-cluster "
            "Redis (allowed: 'redis')",
        )
    if cfg.on_aws and "rabbitmq" in explicit and not cfg.uses_rabbitmq:
        yield Problem(
            "rabbitmq",
            f"configures an Amazon MQ broker, but the stack uses none (broker.type '{cfg.broker.type}', "
            f"executor '{cfg.executor}'). Remove it, or set broker.type to 'rabbitmq' with a Celery executor",
        )
    if "redis" in explicit and cfg.uses_rabbitmq:
        yield Problem(
            "redis",
            "configures an ElastiCache Redis broker, but broker.type is 'rabbitmq'. "
            "Remove it, or set broker.type to 'redis'",
        )


@rule("tier", "executor", "broker", "rabbitmq", "aws")
def rabbitmq_deployment_is_possible(cfg: StackConfig, _explicit: frozenset[str]) -> Iterator[Problem]:
    rabbitmq = cfg.rabbitmq
    if rabbitmq is None or not cfg.uses_rabbitmq:
        return
    cluster = rabbitmq.deployment_mode == RABBITMQ_CLUSTER
    if cluster and rabbitmq.instance_type in SINGLE_INSTANCE_ONLY_TYPES:
        yield Problem(
            "rabbitmq.instanceType",
            f"Amazon MQ runs {rabbitmq.instance_type} as SINGLE_INSTANCE only; a CLUSTER_MULTI_AZ broker "
            "needs mq.m5.large or larger",
        )
    subnets = len(cfg.aws.private_subnet_ids) if cfg.aws is not None else 0
    if cluster and subnets < 2:
        yield Problem(
            "rabbitmq.deploymentMode",
            "CLUSTER_MULTI_AZ spreads three broker nodes across AZs and needs private subnets in at least 2 "
            f"(aws.privateSubnetIds has {subnets})",
        )
    if cfg.tier == "prod" and not cluster:
        yield Problem(
            "rabbitmq.deploymentMode",
            f"the prod tier requires CLUSTER_MULTI_AZ: three broker nodes across AZs, so that losing a node or "
            f"a zone loses no queued task (got {rabbitmq.deployment_mode})",
        )
