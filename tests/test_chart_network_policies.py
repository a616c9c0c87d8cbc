"""Network policies admit exactly the peers Airflow needs, plus the ones a stack names."""

from __future__ import annotations

import json

from tests.support.chart import chart_validator, compose
from tests.support.stacks import stack

RELEASE_PODS = {"podSelector": {"matchLabels": {"tier": "airflow", "release": "airflow"}}}


def namespace(name: str) -> dict:
    return {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": name}}}


def test_api_server_admits_airflow_pods_and_the_ingress_controller_only():
    ingress = {"enabled": True, "host": "airflow.example.com", "tls": {"terminatedUpstream": True}}
    values = compose(stack("prod", kubernetes={"ingress": ingress}))
    assert values["apiServer"]["networkPolicy"]["ingress"]["from"] == [RELEASE_PODS, namespace("ingress-nginx")]
    assert "extraNetworkPolicies" not in values.get("pgbouncer", {})


def test_load_balancer_cidrs_and_the_monitoring_namespace_are_admitted_when_named():
    values = compose(
        stack(
            "prod",
            kubernetes={
                "monitoringNamespace": "monitoring",
                "ingress": {
                    "enabled": True,
                    "controllerNamespace": "kube-system",
                    "sourceCidrs": ["10.20.0.0/16"],
                    "tls": {"terminatedUpstream": True},
                },
            },
        )
    )
    assert values["apiServer"]["networkPolicy"]["ingress"]["from"] == [
        RELEASE_PODS,
        namespace("kube-system"),
        {"ipBlock": {"cidr": "10.20.0.0/16"}},
    ]
    assert values["pgbouncer"]["extraNetworkPolicies"] == [namespace("monitoring")]
    assert values["statsd"]["extraNetworkPolicies"] == [namespace("monitoring")]
    assert not list(chart_validator().iter_errors(json.loads(json.dumps(values))))


def test_no_policies_no_peers():
    values = compose(stack("local"))
    assert values["networkPolicies"] == {"enabled": False}
    assert "networkPolicy" not in values.get("apiServer", {})
