"""Preflight checks of the cluster through the Kubernetes client, with the stack's context."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from ..context import Stack
from ..kube import api_client
from .checks import Finding, failed, guarded, passed

KEDA_SCALED_OBJECT_CRD = "scaledobjects.keda.sh"
# monitoring.prometheus: the kinds the kit creates (components/kubernetes/monitoring.py).
PROMETHEUS_OPERATOR_CRDS = ("prometheusrules.monitoring.coreos.com", "servicemonitors.monitoring.coreos.com")
# aws.securityGroupsForPods: the VPC resource controller's CRD, and the VPC CNI that must hand out branch ENIs.
SECURITY_GROUP_POLICY_CRD = "securitygrouppolicies.vpcresources.k8s.aws"
VPC_CNI = ("kube-system", "aws-node")
POD_ENI_SETTING = "ENABLE_POD_ENI"
POD_ENI_REMEDY = (
    "kubectl -n kube-system set env daemonset aws-node ENABLE_POD_ENI=true (Airflow's nodes must be Nitro "
    "instance types with trunk ENIs), or airflow-ha:aws.securityGroupsForPods: false"
)


def kubernetes_findings(stack: Stack) -> Iterator[Finding]:
    yield from guarded("kubernetes", "API", lambda: _cluster(stack))


def _cluster(stack: Stack) -> Iterator[Finding]:
    from kubernetes import client

    api = api_client(stack)
    version = client.VersionApi(api).get_code()
    yield passed("kubernetes", "API", f"reached the API server (Kubernetes {version.git_version})")
    cfg = stack.config
    if cfg.uses_celery and cfg.celery.workers.keda:
        yield _crd_finding(
            api,
            "KEDA",
            KEDA_SCALED_OBJECT_CRD,
            "the Helm install would fail on the workers' ScaledObject",
            "install KEDA (helm install keda kedacore/keda -n keda --create-namespace), "
            "or airflow-ha:celery.workers.keda: false",
        )
    if cfg.monitoring.prometheus.enabled:
        for crd in PROMETHEUS_OPERATOR_CRDS:
            yield _crd_finding(
                api,
                "Prometheus Operator",
                crd,
                "pulumi up would fail on the kit's alert rules and scrape targets",
                "install the Prometheus Operator (e.g. the kube-prometheus-stack chart), "
                "or airflow-ha:monitoring.prometheus.enabled: false",
            )
    if cfg.aws is not None and cfg.aws.security_groups_for_pods:
        yield _pod_security_groups(api)
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


def _crd_finding(api: Any, check: str, crd: str, without: str, remedy: str) -> Finding:
    from kubernetes import client

    found = _exists(lambda: client.ApiextensionsV1Api(api).read_custom_resource_definition(crd, _preload_content=False))
    if found:
        return passed("kubernetes", check, f"the {crd} CRD is installed")
    return failed("kubernetes", check, f"no {crd} CRD: {without}", remedy)


def _pod_security_groups(api: Any) -> Finding:
    """Without branch ENIs Airflow's pods stay Pending, and the data stores admit no other pod."""
    from kubernetes import client

    check = "pod security groups"
    crd = _exists(
        lambda: client.ApiextensionsV1Api(api).read_custom_resource_definition(
            SECURITY_GROUP_POLICY_CRD, _preload_content=False
        )
    )
    if not crd:
        return failed("kubernetes", check, f"no {SECURITY_GROUP_POLICY_CRD} CRD (not an EKS cluster?)", POD_ENI_REMEDY)
    namespace, name = VPC_CNI
    response = _read(lambda: client.AppsV1Api(api).read_namespaced_daemon_set(name, namespace, _preload_content=False))
    if response is None:
        return failed(
            "kubernetes", check, f"no DaemonSet {namespace}/{name}: the cluster runs no VPC CNI", POD_ENI_REMEDY
        )
    containers = json.loads(response.data)["spec"]["template"]["spec"]["containers"]
    env = {item["name"]: item.get("value") for c in containers if c["name"] == name for item in c.get("env", [])}
    if env.get(POD_ENI_SETTING) != "true":
        return failed(
            "kubernetes",
            check,
            f"{namespace}/{name} runs without {POD_ENI_SETTING}=true: Airflow's pods would stay Pending",
            POD_ENI_REMEDY,
        )
    return passed("kubernetes", check, f"{namespace}/{name} hands out branch ENIs ({POD_ENI_SETTING}=true)")


def _read(read: Any) -> Any:
    """The raw response, or None when the object does not exist."""
    from kubernetes.client.exceptions import ApiException

    try:
        return read()
    except ApiException as error:
        if error.status == 404:
            return None
        raise


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
