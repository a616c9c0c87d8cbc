"""The monitoring objects of the shipped stacks, as `pulumi up` would apply them: valid against the
Prometheus Operator's published CRD schemas (the pydantic models of cloudcoil-models-prometheus-operator,
generated from the operator's v0.80.1 CRDs), aimed at the Services the real chart renders, and a
dashboard Grafana's sidecar loads."""

from __future__ import annotations

import json

import pytest
from cloudcoil.models.prometheus_operator import v1 as prometheus_operator

from tests.support.manifests import shipped_manifests, variant_manifests

MONITORING_API = "monitoring.coreos.com/v1"
MONITORED = ("staging", "prod")


def monitoring_objects(stack_name: str) -> list[dict]:
    return [d for d in shipped_manifests(stack_name).kit if d["apiVersion"] == MONITORING_API]


def _refusals(document: dict) -> list[str]:
    """Schema errors, plus every field the schema does not know (the models ignore those silently)."""
    model = getattr(prometheus_operator, document["kind"])
    try:
        parsed = model.model_validate(document)
    except ValueError as error:
        return [str(error)]
    known = parsed.model_dump(by_alias=True, exclude_unset=True, mode="json")
    return [f"unknown field {path}" for path in _unknown(document, known, "")]


def _unknown(given: object, known: object, path: str) -> list[str]:
    if isinstance(given, dict) and isinstance(known, dict):
        found = [f"{path}.{key}" for key in given if key not in known]
        return found + [f for key in given if key in known for f in _unknown(given[key], known[key], f"{path}.{key}")]
    if isinstance(given, list) and isinstance(known, list):
        return [f for i, (g, k) in enumerate(zip(given, known, strict=True)) for f in _unknown(g, k, f"{path}[{i}]")]
    return []


@pytest.mark.parametrize("stack_name", MONITORED)
def test_the_prometheus_operator_objects_match_its_published_schemas(stack_name):
    objects = monitoring_objects(stack_name)
    assert {d["kind"] for d in objects} == {"ServiceMonitor", "PrometheusRule"}
    assert {d["metadata"]["name"]: _refusals(d) for d in objects} == {d["metadata"]["name"]: [] for d in objects}


def test_the_schemas_refuse_a_broken_object():
    rule = next(d for d in monitoring_objects("prod") if d["kind"] == "PrometheusRule")
    broken_duration = json.loads(json.dumps(rule))
    broken_duration["spec"]["groups"][0]["rules"][0]["for"] = "five minutes"
    misspelt = json.loads(json.dumps(rule))
    misspelt["spec"]["groups"][0]["rules"][0]["annotation"] = {}
    assert _refusals(broken_duration)
    assert _refusals(misspelt) == ["unknown field .spec.groups[0].rules[0].annotation"]


@pytest.mark.parametrize("stack_name", MONITORED)
def test_each_service_monitor_selects_a_chart_service_by_its_metrics_port(stack_name):
    manifests = shipped_manifests(stack_name)
    services = manifests.of_kind("Service")
    for monitor in (d for d in monitoring_objects(stack_name) if d["kind"] == "ServiceMonitor"):
        wanted = monitor["spec"]["selector"]["matchLabels"]
        selected = [
            s
            for s in services.values()
            if wanted.items() <= (s["metadata"].get("labels") or {}).items()
            and s["metadata"]["namespace"] in monitor["spec"]["namespaceSelector"]["matchNames"]
        ]
        assert len(selected) == 1, (monitor["metadata"]["name"], [s["metadata"]["name"] for s in selected])
        ports = {port["name"] for port in selected[0]["spec"]["ports"]}
        assert {endpoint["port"] for endpoint in monitor["spec"]["endpoints"]} <= ports


@pytest.mark.parametrize("stack_name", MONITORED)
def test_the_operators_selectors_find_the_objects_and_prometheus_may_scrape(stack_name):
    manifests = shipped_manifests(stack_name)
    for document in monitoring_objects(stack_name):
        assert document["metadata"]["labels"]["release"] == "kube-prometheus-stack"  # monitoring.prometheus.labels
    policies = manifests.of_kind("NetworkPolicy")
    admitted = {
        name
        for name, policy in policies.items()
        for rule in policy["spec"].get("ingress", [])
        for peer in rule.get("from", [])
        if peer.get("namespaceSelector", {}).get("matchLabels", {}).get("kubernetes.io/metadata.name") == "monitoring"
    }
    assert any("statsd" in name for name in admitted)
    assert any("pgbouncer" in name for name in admitted)


@pytest.mark.parametrize("stack_name", MONITORED)
def test_the_dashboard_is_a_configmap_grafanas_sidecar_loads(stack_name):
    manifests = shipped_manifests(stack_name)
    [dashboard] = [
        d
        for d in manifests.kit
        if d["kind"] == "ConfigMap" and (d["metadata"].get("labels") or {}).get("grafana_dashboard") == "1"
    ]
    assert dashboard["metadata"]["namespace"] == "monitoring"  # kubernetes.monitoringNamespace
    [(key, text)] = dashboard["data"].items()
    assert key.endswith(".json")
    model = json.loads(text)
    assert stack_name in model["title"]
    assert all(panel["targets"] for panel in model["panels"])
    titles = " ".join(panel["title"] for panel in model["panels"])
    for figure in ("slots", "replicas", "capacity", "max_client_conn"):
        assert figure in titles


def test_monitoring_off_creates_no_monitoring_objects():
    manifests = variant_manifests("quiet", "dev")
    assert not [d for d in manifests.kit if d["apiVersion"] == MONITORING_API]
    assert not [d for d in manifests.kit if (d["metadata"].get("labels") or {}).get("grafana_dashboard")]
