"""The parts of the pods' security that depend on the stack (pure): who mounts a Kubernetes API
token, the task containers' root filesystem, images pinned by digest, and the namespace's Pod
Security Admission labels. The static part (security contexts, /tmp volumes, sidecar resources) is
``charts-values/base.yaml``.

Kubernetes API tokens, exactly where something calls the API:

- scheduler: with the KubernetesExecutor it creates, watches and deletes task pods;
- api-server: with the KubernetesExecutor it reads the logs of running task pods;
- Celery workers, task pods and the triggerer: only when tasks launch pods themselves
  (``kubernetes.podSecurity.tasksLaunchPods``: KubernetesPodOperator and its deferrable trigger);
- dag-processor, PgBouncer, StatsD, the kit's Jobs: never (``base.yaml`` and ``jobs.py``).

IRSA needs none of these: the EKS pod identity webhook projects its own web-identity token
(volume ``aws-iam-token``) into every pod whose service account carries a role.
"""

from __future__ import annotations

from typing import Any

from ..config.model import StackConfig

Values = dict[str, Any]

# Pod Security Admission: enforce the level pinned to the Kubernetes minor the kit is checked
# against, so a cluster upgrade cannot start rejecting pods; audit and warn at `latest`, so the
# next version's rules show up in the audit log and in `kubectl` warnings first.
PSA_PREFIX = "pod-security.kubernetes.io"
PSA_ENFORCE_VERSION = "v1.31"

# The tags chart 1.22.0 ships for its other images; a digest pins them to one build. The chart
# builds these references as `<repository>:<tag>`, so the digest rides on the tag: `<tag>@sha256:...`
# (a reference with both names the digest; the tag is a label).
CHART_IMAGE_TAGS: dict[str, tuple[str, str]] = {
    # config field → (chart key under `images`, chart 1.22.0's tag)
    "statsd": ("statsd", "v0.30.0"),
    "pgbouncer": ("pgbouncer", "airflow-pgbouncer-2025.03.05-1.23.1"),
    "pgbouncer_exporter": ("pgbouncerExporter", "airflow-pgbouncer-exporter-2025.03.05-0.18.0"),
    "git_sync": ("gitSync", "v4.4.2"),
    "redis": ("redis", "7.2-bookworm"),
}


def namespace_labels(cfg: StackConfig) -> dict[str, str]:
    level = cfg.kubernetes.pod_security.level
    return {
        f"{PSA_PREFIX}/enforce": level,
        f"{PSA_PREFIX}/enforce-version": PSA_ENFORCE_VERSION,
        f"{PSA_PREFIX}/audit": "restricted",
        f"{PSA_PREFIX}/audit-version": "latest",
        f"{PSA_PREFIX}/warn": "restricted",
        f"{PSA_PREFIX}/warn-version": "latest",
    }


def pod_security_values(cfg: StackConfig, container_context: Values) -> Values:
    """``container_context``: the Airflow containers' security context from the static values."""
    pods = cfg.kubernetes.pod_security
    kubernetes_executor = cfg.uses_kubernetes_executor
    tasks_launch_pods = pods.tasks_launch_pods
    parts = [part for part, used in (("celery", cfg.uses_celery), ("kubernetes", kubernetes_executor)) if used]
    workers: Values = {part: {"serviceAccount": {"automountServiceAccountToken": tasks_launch_pods}} for part in parts}
    # With the LocalExecutor the scheduler pods are where tasks run.
    scheduler: Values = {
        "serviceAccount": {
            "automountServiceAccountToken": kubernetes_executor or (cfg.uses_local_executor and tasks_launch_pods)
        }
    }
    if pods.writable_task_root_filesystem:
        writable = {"securityContexts": {"container": {**container_context, "readOnlyRootFilesystem": False}}}
        workers = {part: {**settings, **writable} for part, settings in workers.items()}
        if cfg.uses_local_executor:
            scheduler |= writable
    return {
        # The chart's pod-launcher Role: the scheduler's with the KubernetesExecutor, the tasks' when they launch pods.
        "allowPodLaunching": kubernetes_executor or tasks_launch_pods,
        "scheduler": scheduler,
        "apiServer": {
            "allowPodLogReading": kubernetes_executor,
            "serviceAccount": {"automountServiceAccountToken": kubernetes_executor},
        },
        "triggerer": {"serviceAccount": {"automountServiceAccountToken": tasks_launch_pods}},
        "workers": workers,
        **_image_pins(cfg),
    }


def _task_image_tag(cfg: StackConfig) -> str:
    digest = cfg.airflow.image.digest
    return f"{cfg.image_tag}@{digest}" if digest else cfg.image_tag


def _image_pins(cfg: StackConfig) -> Values:
    image = cfg.airflow.image
    tag = _task_image_tag(cfg)
    # Task pods: the chart's pod template names `images.pod_template`, and the KubernetesExecutor
    # replaces it with `worker_container_repository:worker_container_tag` (see airflow_config).
    values: Values = {"images": {"pod_template": {"repository": image.repository, "tag": tag}}}
    if image.digest:
        values["images"]["airflow"] = {"digest": image.digest}
    digests = cfg.airflow.chart_image_digests
    for field, (chart_key, chart_tag) in CHART_IMAGE_TAGS.items():
        digest = getattr(digests, field)
        if digest is not None:
            values["images"][chart_key] = {"tag": f"{chart_tag}@{digest}"}
    return values


def pinned_task_image(cfg: StackConfig) -> dict[str, str]:
    """``[kubernetes_executor]`` options that make task pods run the stack's image, digest included."""
    return {"worker_container_repository": cfg.airflow.image.repository, "worker_container_tag": _task_image_tag(cfg)}
