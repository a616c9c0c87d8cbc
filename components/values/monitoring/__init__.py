"""Alerts, scrape targets and the dashboard of a stack, sized from its capacity model (pure)."""

from .alerts import Alert, alerts, prometheus_rule_spec
from .capacity import MonitoredCapacity, monitored_capacity
from .cloudwatch import AlarmSpec, alarm_specs
from .dashboard import Panel, dashboard, panels
from .manifests import MonitoringManifests, monitoring_manifests
from .statsd_mappings import statsd_extra_mappings

__all__ = [
    "AlarmSpec",
    "Alert",
    "MonitoredCapacity",
    "MonitoringManifests",
    "Panel",
    "alarm_specs",
    "alerts",
    "dashboard",
    "monitored_capacity",
    "monitoring_manifests",
    "panels",
    "prometheus_rule_spec",
    "statsd_extra_mappings",
]
