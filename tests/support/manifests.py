"""Every Kubernetes object a stack puts in its namespace, as manifests: the chart rendered from the
values the program registers on the Helm release, plus the kit's own objects (the namespace, the
migration Job, the local tier's PostgreSQL), read from the offline plan.

Helm creates every namespaced object of a release in the release's namespace; the templates
leave ``metadata.namespace`` out, so it is set here as Helm sets it at install time.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from components.config.stackfile import StackFile
from components.plan.render import render_chart
from components.plan.runner import plan_stack

from .chart import chart_archive
from .stacks import raw_values, secret_keys_of, shipped

SHIPPED_STACKS = ("local", "dev", "staging", "prod")
# The kit's own objects that are worth judging as workloads (Secrets hold placeholders in a plan).
KIT_KINDS = {
    "kubernetes:core/v1:Namespace": ("v1", "Namespace"),
    "kubernetes:batch/v1:Job": ("batch/v1", "Job"),
    "kubernetes:apps/v1:StatefulSet": ("apps/v1", "StatefulSet"),
    "kubernetes:core/v1:Service": ("v1", "Service"),
    "kubernetes:core/v1:ConfigMap": ("v1", "ConfigMap"),
    "kubernetes:monitoring.coreos.com/v1:ServiceMonitor": ("monitoring.coreos.com/v1", "ServiceMonitor"),
    "kubernetes:monitoring.coreos.com/v1:PrometheusRule": ("monitoring.coreos.com/v1", "PrometheusRule"),
}
CLUSTER_SCOPED = {"Namespace", "ClusterRole", "ClusterRoleBinding", "PriorityClass"}
POD_TEMPLATE_FILE = "pod_template_file.yaml"
POD_OWNERS = {"Deployment", "StatefulSet", "DaemonSet", "Job", "ReplicaSet"}


@dataclass(frozen=True)
class StackManifests:
    stack: str
    namespace: str
    chart: tuple[dict[str, Any], ...]
    kit: tuple[dict[str, Any], ...]

    @property
    def documents(self) -> tuple[dict[str, Any], ...]:
        return (*self.chart, *self.kit)

    def of_kind(self, kind: str) -> dict[str, dict[str, Any]]:
        return {d["metadata"]["name"]: d for d in self.documents if d["kind"] == kind}

    @property
    def namespace_object(self) -> dict[str, Any]:
        [namespace] = self.of_kind("Namespace").values()
        return namespace

    def pod_specs(self) -> Iterator[tuple[str, dict[str, Any]]]:
        """``(where, pod spec)`` of every pod the stack runs, task pods of the KubernetesExecutor included."""
        for document in self.documents:
            where = f"{document['kind']}/{document['metadata']['name']}"
            if document["kind"] in POD_OWNERS:
                yield where, document["spec"]["template"]["spec"]
            elif document["kind"] == "CronJob":
                yield where, document["spec"]["jobTemplate"]["spec"]["template"]["spec"]
            elif document["kind"] == "ConfigMap" and POD_TEMPLATE_FILE in (document.get("data") or {}):
                yield f"{where}:{POD_TEMPLATE_FILE}", yaml.safe_load(document["data"][POD_TEMPLATE_FILE])["spec"]

    def as_yaml(self) -> str:
        return "---\n".join(yaml.safe_dump(document, sort_keys=False) for document in self.documents)


def manifests_of(stack_file: StackFile) -> StackManifests:
    plan = plan_stack(stack_file)
    namespace = plan.namespace
    text = render_chart(Path(chart_archive()), plan.chart_values, plan.release_name, namespace)
    chart = tuple(_in_namespace(d, namespace) for d in yaml.safe_load_all(text) if d)
    kit = tuple(
        {"apiVersion": KIT_KINDS[r.type][0], "kind": KIT_KINDS[r.type][1], **r.inputs}
        for r in plan.resources
        if r.type in KIT_KINDS
    )
    return StackManifests(plan.stack, namespace, chart, kit)


@cache
def shipped_manifests(stack_name: str) -> StackManifests:
    return manifests_of(shipped(stack_name))


def variant_manifests(stack_name: str, tier: str, **sections: Any) -> StackManifests:
    """A stack that is not shipped, built like ``tests.support.stacks.stack``."""
    values = raw_values(tier, **sections)
    return manifests_of(StackFile(stack_name, values, frozenset(secret_keys_of(values))))


def _in_namespace(document: dict[str, Any], namespace: str) -> dict[str, Any]:
    if document["kind"] not in CLUSTER_SCOPED:
        document["metadata"].setdefault("namespace", namespace)
    return document


def containers(spec: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield from spec.get("initContainers") or []
    yield from spec.get("containers") or []
