"""ServiceMonitors for the chart's StatsD exporter and PgBouncer's metrics sidecar (pure).

The chart's Services carry ``tier: airflow``, ``component`` and ``release`` labels and name their
metrics ports ``statsd-scrape`` (9102) and ``pgb-metrics`` (9127); the Prometheus Operator then
labels every series with ``namespace``, ``service`` and ``pod``, which the alerts select on.
"""

from __future__ import annotations

from typing import Any

from ...config.model import StackConfig
from ...naming.kubernetes import Names

STATSD_SCRAPE_PORT = "statsd-scrape"
PGBOUNCER_METRICS_PORT = "pgb-metrics"


def service_monitor(cfg: StackConfig, names: Names, component: str, port: str) -> dict[str, Any]:
    """``metadata`` (without namespace) and ``spec`` of a ServiceMonitor of one chart component."""
    prometheus = cfg.monitoring.prometheus
    return {
        "metadata": {
            "name": f"{names.release}-{component}",
            "labels": {"tier": "airflow", "release": names.release, "component": component, **prometheus.labels},
        },
        "spec": {
            "selector": {"matchLabels": {"tier": "airflow", "component": component, "release": names.release}},
            "namespaceSelector": {"matchNames": [names.namespace]},
            "endpoints": [{"port": port, "path": "/metrics", "interval": f"{prometheus.scrape_interval_seconds}s"}],
        },
    }


def service_monitors(cfg: StackConfig, names: Names) -> tuple[dict[str, Any], ...]:
    monitors = [service_monitor(cfg, names, "statsd", STATSD_SCRAPE_PORT)]
    if cfg.pgbouncer.enabled:
        monitors.append(service_monitor(cfg, names, "pgbouncer", PGBOUNCER_METRICS_PORT))
    return tuple(monitors)
