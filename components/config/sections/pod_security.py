"""Pod security of the release's namespace and pods: the Pod Security Admission level, Kubernetes
API tokens, and the task containers' root filesystem."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ..base import KitModel


class PodSecuritySection(KitModel):
    level: Literal["restricted", "baseline"] = Field(
        default="restricted",
        description="Pod Security Admission level the namespace enforces (labels "
        "`pod-security.kubernetes.io/enforce`, `audit`, `warn`). Every pod the kit and the chart create meets "
        "`restricted`; `baseline` is for pods your tasks launch into the namespace that cannot.",
    )
    tasks_launch_pods: bool = Field(
        default=False,
        description="Tasks launch pods in the release's namespace (KubernetesPodOperator in-cluster and its "
        "deferrable trigger): Celery workers, task pods and the triggerer then mount a Kubernetes API token "
        "and get the chart's pod-launcher Role. Without it only the scheduler (KubernetesExecutor) and the "
        "api-server (logs of running task pods) mount one.",
    )
    writable_task_root_filesystem: bool = Field(
        default=False,
        description="Give task containers (Celery workers, KubernetesExecutor task pods) a writable root "
        "filesystem. Default: read-only, tasks write to /tmp and the logs folder only.",
    )
