"""The manifests of every shipped stack are valid Kubernetes 1.31 objects: the JSON schemas that
ship inside the PyPI package kubernetes-validate, strict (no unknown fields), offline."""

from __future__ import annotations

import kubernetes_validate
import pytest

from tests.support.manifests import SHIPPED_STACKS, shipped_manifests

KUBERNETES_VERSION = "1.31"
# Custom resources (KEDA's ScaledObject, the Prometheus Operator's objects) have no upstream
# Kubernetes schema; tests/test_monitoring_manifests.py judges the Prometheus Operator's.
CUSTOM_RESOURCES = {"keda.sh/v1alpha1", "monitoring.coreos.com/v1"}


@pytest.mark.parametrize("stack_name", SHIPPED_STACKS)
def test_every_manifest_is_a_valid_kubernetes_object(stack_name):
    invalid = []
    judged = 0
    for document in shipped_manifests(stack_name).documents:
        if document["apiVersion"] in CUSTOM_RESOURCES:
            continue
        try:
            kubernetes_validate.validate(document, KUBERNETES_VERSION, strict=True)
        except kubernetes_validate.ValidationError as error:
            invalid.append(f"{document['kind']}/{document['metadata']['name']}: {error.message}")
        judged += 1
    assert judged > 10
    assert invalid == []


def test_the_schemas_catch_a_broken_pod_spec():
    deployment = next(d for d in shipped_manifests("prod").documents if d["kind"] == "Deployment")
    broken = {**deployment, "spec": {**deployment["spec"], "replicas": "two"}}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, KUBERNETES_VERSION, strict=True)
