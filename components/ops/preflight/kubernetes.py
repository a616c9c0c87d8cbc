"""Preflight checks of the cluster through the Kubernetes client, with the stack's context."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..context import Stack
from ..kube import api_client
from .checks import Finding, failed, guarded, passed

KEDA_SCALED_OBJECT_CRD = "scaledobjects.keda.sh"


def kubernetes_findings(stack: Stack) -> Iterator[Finding]:
    yield from guarded("kubernetes", "API", lambda: _cluster(stack))


def _cluster(stack: Stack) -> Iterator[Finding]:
    from kubernetes import client

    api = api_client(stack)
    version = client.VersionApi(api).get_code()
    yield passed("kubernetes", "API", f"reached the API server (Kubernetes {version.git_version})")
    cfg = stack.config
    if cfg.uses_celery and cfg.celery.workers.keda:
        found = _exists(
            lambda: client.ApiextensionsV1Api(api).read_custom_resource_definition(
                KEDA_SCALED_OBJECT_CRD, _preload_content=False
            )
        )
        if found:
            yield passed("kubernetes", "KEDA", f"the {KEDA_SCALED_OBJECT_CRD} CRD is installed")
        else:
            yield failed(
                "kubernetes",
                "KEDA",
                f"no {KEDA_SCALED_OBJECT_CRD} CRD: the Helm install would fail on the workers' ScaledObject",
                "install KEDA (helm install keda kedacore/keda -n keda --create-namespace), "
                "or airflow-ha:celery.workers.keda: false",
            )
    ingress = cfg.kubernetes.ingress
    if ingress.enabled:
        if _exists(lambda: client.NetworkingV1Api(api).read_ingress_class(ingress.class_name, _preload_content=False)):
            yield passed("kubernetes", "IngressClass", f"IngressClass {ingress.class_name} exists")
        else:
            yield failed(
                "kubernetes",
                "IngressClass",
                f"no IngressClass {ingress.class_name}",
                "install the ingress controller, or set airflow-ha:kubernetes.ingress.className",
            )
    monitoring = cfg.kubernetes.monitoring_namespace
    if monitoring:
        if _exists(lambda: client.CoreV1Api(api).read_namespace(monitoring, _preload_content=False)):
            yield passed("kubernetes", "monitoring namespace", f"namespace {monitoring} exists")
        else:
            yield failed(
                "kubernetes",
                "monitoring namespace",
                f"no namespace {monitoring}: the network policies would admit a Prometheus that is not there",
                "set airflow-ha:kubernetes.monitoringNamespace to your Prometheus' namespace",
            )


def _exists(read: Any) -> bool:
    """Whether the object exists; the body is not parsed (``_preload_content=False``), only the status."""
    from kubernetes.client.exceptions import ApiException

    try:
        read()
    except ApiException as error:
        if error.status == 404:
            return False
        raise
    return True
