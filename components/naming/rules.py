"""Config rules: every value that becomes a Kubernetes or AWS name follows that system's rules.

Reported like every other config problem, at the key the stack file sets, with the rule in the
message, before anything is created; otherwise the cluster or AWS would refuse the name halfway
through a deployment.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from ..config import name_syntax as syntax
from ..config.errors import Problem
from ..config.model import StackConfig
from ..config.rule import Rule, rule
from .aws import LOGS_PREFIX
from .kubernetes import (
    ADMIN_JOB,
    DNS_LABEL_MAX,
    JOB_HASH_LENGTH,
    MIGRATION_JOB,
    versioned_job_name,
    worker_set_name,
)

Check = Callable[[str], str | None]


def _judge(key: str, value: str | None, check: Check) -> Iterator[Problem]:
    if value is None:
        return
    broken = check(value)
    if broken:
        yield Problem(key, f"'{value}' {broken}")


@rule("kubernetes")
def kubernetes_names(cfg: StackConfig, _explicit: frozenset[str]) -> Iterator[Problem]:
    kubernetes = cfg.kubernetes
    yield from _judge("kubernetes.namespace", kubernetes.namespace, syntax.dns_label)
    yield from _judge("kubernetes.monitoringNamespace", kubernetes.monitoring_namespace, syntax.dns_label)
    ingress = kubernetes.ingress
    yield from _judge("kubernetes.ingress.host", ingress.host, syntax.host_name)
    yield from _judge("kubernetes.ingress.className", ingress.class_name, syntax.dns_subdomain)
    yield from _judge("kubernetes.ingress.controllerNamespace", ingress.controller_namespace, syntax.dns_label)


@rule("kubernetes", "airflow", "tier")
def job_names_fit(cfg: StackConfig, _explicit: frozenset[str]) -> Iterator[Problem]:
    """The kit's Jobs are ``<release>-<purpose>-<version>-<hash>``, a DNS label."""
    purposes = [MIGRATION_JOB] if cfg.on_aws else [MIGRATION_JOB, ADMIN_JOB]
    longest = max(purposes, key=len)
    name = versioned_job_name(cfg.kubernetes.release_name, longest, cfg.airflow.version, "0" * JOB_HASH_LENGTH)
    if len(name) > DNS_LABEL_MAX:
        room = len(cfg.kubernetes.release_name) - (len(name) - DNS_LABEL_MAX)
        yield Problem(
            "kubernetes.releaseName",
            f"'{cfg.kubernetes.release_name}' makes the Job name '{name}' {len(name)} characters long; a Job name "
            f"is a DNS label of at most {DNS_LABEL_MAX}: use a release name of at most {room} characters",
        )


@rule("kubernetes", "workload")
def worker_set_names_fit(cfg: StackConfig, _explicit: frozenset[str]) -> Iterator[Problem]:
    """The chart puts ``<release>-worker-<queue>`` in a label (``deploymentName``): at most 63 characters."""
    for index, queue in enumerate(cfg.workload.queues):
        name = worker_set_name(cfg.kubernetes.release_name, queue.name)
        if len(name) > syntax.LABEL_VALUE_MAX:
            room = len(queue.name) - (len(name) - syntax.LABEL_VALUE_MAX)
            yield Problem(
                f"workload.queues[{index}].name",
                f"'{queue.name}' makes the worker set '{name}' {len(name)} characters long; the chart puts it in "
                f"a label value of at most {syntax.LABEL_VALUE_MAX}: use a queue name of at most {room} characters",
            )


@rule("airflow")
def image_names(cfg: StackConfig, _explicit: frozenset[str]) -> Iterator[Problem]:
    image = cfg.airflow.image
    yield from _judge("airflow.image.repository", image.repository, syntax.image_repository)
    yield from _judge("airflow.image.tag", image.tag, syntax.image_tag)
    for index, secret in enumerate(image.pull_secrets):
        yield from _judge(f"airflow.image.pullSecrets[{index}]", secret, syntax.dns_subdomain)


@rule("kubernetes_executor")
def task_pod_placement_names(cfg: StackConfig, _explicit: frozenset[str]) -> Iterator[Problem]:
    executor = cfg.kubernetes_executor
    for key, value in executor.node_selector.items():
        yield from _judge("kubernetesExecutor.nodeSelector", key, syntax.label_key)
        yield from _judge(f"kubernetesExecutor.nodeSelector.{key}", value, syntax.label_value)
    for index, toleration in enumerate(executor.tolerations):
        yield from _judge(f"kubernetesExecutor.tolerations[{index}].key", toleration.key, syntax.label_key)
        yield from _judge(f"kubernetesExecutor.tolerations[{index}].value", toleration.value, syntax.label_value)


@rule("aws")
def aws_tags(cfg: StackConfig, _explicit: frozenset[str]) -> Iterator[Problem]:
    if cfg.aws is None:
        return
    for key, value in cfg.aws.tags.items():
        yield from _judge("aws.tags", key, syntax.aws_tag_key)
        yield from _judge(f"aws.tags.{key}", value, syntax.aws_tag_value)


@rule("dags", "secrets_backend")
def aws_names(cfg: StackConfig, _explicit: frozenset[str]) -> Iterator[Problem]:
    if cfg.dags.s3 is not None:
        yield from _judge("dags.s3.bucket", cfg.dags.s3.bucket, syntax.s3_bucket)
    backend = cfg.secrets_backend
    if backend.type == "aws-secrets-manager":
        for key, prefix in (
            ("secretsBackend.connectionsPrefix", backend.connections_prefix),
            ("secretsBackend.variablesPrefix", backend.variables_prefix),
            ("secretsBackend.configPrefix", backend.config_prefix),
        ):
            yield from _judge(key, prefix, syntax.secrets_manager_prefix)


@rule("tier", "xcom")
def xcom_prefix_outside_task_logs(cfg: StackConfig, _explicit: frozenset[str]) -> Iterator[Problem]:
    """In the logs bucket, XComs keep their own prefix and expiry rule, apart from the task logs."""
    storage = cfg.xcom.object_storage
    if storage.enabled and storage.bucket is None and cfg.on_aws and f"{storage.prefix}/".startswith(f"{LOGS_PREFIX}/"):
        yield Problem(
            "xcom.objectStorage.prefix",
            f"'{storage.prefix}' is inside the task logs' prefix '{LOGS_PREFIX}/' of the logs bucket, where XComs "
            "would expire with the logs; choose another prefix, or name a bucket of your own",
        )


NAME_RULES: tuple[Rule, ...] = (
    kubernetes_names,
    job_names_fit,
    worker_set_names_fit,
    image_names,
    task_pod_placement_names,
    aws_tags,
    aws_names,
    xcom_prefix_outside_task_logs,
)
