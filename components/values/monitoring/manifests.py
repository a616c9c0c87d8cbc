"""The Prometheus Operator objects and the Grafana dashboard of one stack, as manifests (pure)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ...config.model import StackConfig
from ...naming.kubernetes import Names
from ...tuning.model import Tuning
from .alerts import prometheus_rule_spec
from .capacity import monitored_capacity
from .dashboard import DASHBOARD_LABEL, dashboard_json
from .scrape import service_monitors

MONITORING_API = "monitoring.coreos.com/v1"
Manifest = dict[str, Any]


@dataclass(frozen=True)
class MonitoringManifests:
    """What the kit applies: custom resources in Airflow's namespace, the dashboard where Grafana looks."""

    custom_resources: tuple[Manifest, ...]  # ServiceMonitors and the PrometheusRule
    dashboard: Manifest  # a ConfigMap

    @property
    def all(self) -> tuple[Manifest, ...]:
        return (*self.custom_resources, self.dashboard)


def monitoring_manifests(cfg: StackConfig, names: Names, tuning: Tuning) -> MonitoringManifests:
    prometheus = cfg.monitoring.prometheus
    capacity = monitored_capacity(cfg, names, tuning)
    common = {"tier": "airflow", "release": names.release}
    monitors = [
        {
            "apiVersion": MONITORING_API,
            "kind": "ServiceMonitor",
            "metadata": {**monitor["metadata"], "namespace": names.namespace},
            "spec": monitor["spec"],
        }
        for monitor in service_monitors(cfg, names)
    ]
    rule = {
        "apiVersion": MONITORING_API,
        "kind": "PrometheusRule",
        "metadata": {
            "name": f"{names.release}-alerts",
            "namespace": names.namespace,
            "labels": {**common, **prometheus.labels},
        },
        "spec": prometheus_rule_spec(capacity),
    }
    dashboard_namespace = prometheus.dashboard_namespace or cfg.kubernetes.monitoring_namespace or names.namespace
    dashboard = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {
            "name": f"{names.release}-{cfg.stack}-dashboard"[:63].rstrip("-"),
            "namespace": dashboard_namespace,
            "labels": {**common, **DASHBOARD_LABEL},
        },
        "data": {f"airflow-{cfg.stack}.json": dashboard_json(capacity)},
    }
    return MonitoringManifests((*monitors, rule), dashboard)
