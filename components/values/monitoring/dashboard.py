"""The Grafana dashboard of one stack: the capacity figures the kit derived, against live use (pure).

Shipped as a ConfigMap labelled ``grafana_dashboard: "1"``, which the Grafana sidecar of
kube-prometheus-stack (and of the Grafana chart) loads. Each panel draws a live series and, as a
flat line, the figure the kit sized it for, so a glance tells how much headroom is left.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from .alerts import DEFAULT_POOL, pgbouncer_selector, statsd_selector
from .capacity import SCHEDULER_HEARTBEAT_SECONDS, MonitoredCapacity

DASHBOARD_LABEL = {"grafana_dashboard": "1"}
PANEL_WIDTH = 12
PANEL_HEIGHT = 8


@dataclass(frozen=True)
class Target:
    expr: str
    legend: str
    series: tuple[str, ...]  # the series `expr` reads; none for a capacity line


@dataclass(frozen=True)
class Panel:
    title: str
    targets: tuple[Target, ...]

    @property
    def series(self) -> tuple[str, ...]:
        return tuple(name for target in self.targets for name in target.series)


def _capacity_line(value: float, legend: str) -> Target:
    return Target(f"vector({value})", legend, ())


def panels(capacity: MonitoredCapacity) -> tuple[Panel, ...]:
    sel = statsd_selector(capacity)
    pool = statsd_selector(capacity, pool=DEFAULT_POOL)
    found = [
        Panel(
            "Default pool: tasks against its slots",
            (
                Target(f"airflow_pool_running_slots{pool}", "running", ("airflow_pool_running_slots",)),
                Target(f"airflow_pool_queued_slots{pool}", "queued", ("airflow_pool_queued_slots",)),
                Target(
                    f"airflow_scheduler_tasks_starving{sel}",
                    "waiting for a slot",
                    ("airflow_scheduler_tasks_starving",),
                ),
                _capacity_line(capacity.default_pool_slots, "slots (capacity model)"),
            ),
        ),
        Panel(
            "Live schedulers against scheduler.replicas",
            (
                Target(
                    f"sum(rate(airflow_scheduler_heartbeat{sel}[5m])) * {SCHEDULER_HEARTBEAT_SECONDS}",
                    "heartbeating schedulers",
                    ("airflow_scheduler_heartbeat",),
                ),
                _capacity_line(capacity.schedulers, "configured"),
            ),
        ),
        Panel(
            "Heartbeats per minute",
            tuple(
                Target(f"sum(rate({metric}{sel}[5m])) * 60", component, (metric,))
                for component, metric in (
                    ("scheduler", "airflow_scheduler_heartbeat"),
                    ("triggerer", "airflow_triggerer_heartbeat"),
                    ("dag-processor", "airflow_dag_processor_heartbeat"),
                )
            ),
        ),
        Panel(
            "Triggers per triggerer against triggerer.capacity",
            (
                Target(f"airflow_triggers_running{sel}", "{{hostname}}", ("airflow_triggers_running",)),
                _capacity_line(capacity.triggerer_capacity, "capacity"),
            ),
        ),
        Panel(
            "Task outcomes per minute",
            (
                Target(f"sum(rate(airflow_ti_finish{sel}[5m])) * 60", "finished", ("airflow_ti_finish",)),
                Target(f"sum(rate(airflow_ti_failures{sel}[5m])) * 60", "failed", ("airflow_ti_failures",)),
            ),
        ),
        Panel(
            "DAG import errors",
            (
                Target(
                    f"max(airflow_dag_processing_import_errors{sel})",
                    "files failing",
                    ("airflow_dag_processing_import_errors",),
                ),
            ),
        ),
    ]
    if capacity.celery_slots_at_max is not None:
        found.append(
            Panel(
                "Celery work against KEDA's maximum of workers",
                (
                    Target(
                        f"airflow_pool_running_slots{pool} + airflow_pool_queued_slots{pool}",
                        "running + queued",
                        ("airflow_pool_running_slots", "airflow_pool_queued_slots"),
                    ),
                    _capacity_line(capacity.celery_slots_at_max, "slots at KEDA's maximum"),
                ),
            )
        )
    if capacity.pgbouncer_max_client_conn is not None and capacity.pgbouncer_server_connections is not None:
        pgb = pgbouncer_selector(capacity)
        found.append(
            Panel(
                "PgBouncer clients per pod against max_client_conn",
                (
                    Target(
                        f"sum by (pod) (pgbouncer_exporter_pools_active_clients{pgb} "
                        f"+ pgbouncer_exporter_pools_waiting_clients{pgb})",
                        "{{pod}}",
                        ("pgbouncer_exporter_pools_active_clients", "pgbouncer_exporter_pools_waiting_clients"),
                    ),
                    _capacity_line(capacity.pgbouncer_max_client_conn, "max_client_conn"),
                ),
            )
        )
        found.append(
            Panel(
                "PgBouncer server connections per pod against its pools",
                (
                    Target(
                        f"sum by (pod) (pgbouncer_exporter_pools_active_server{pgb} "
                        f"+ pgbouncer_exporter_pools_idle_server{pgb})",
                        "{{pod}}",
                        ("pgbouncer_exporter_pools_active_server", "pgbouncer_exporter_pools_idle_server"),
                    ),
                    _capacity_line(capacity.pgbouncer_server_connections, "server pools"),
                ),
            )
        )
    return tuple(found)


def dashboard(capacity: MonitoredCapacity) -> dict[str, Any]:
    """A Grafana dashboard model (schemaVersion 39) with a Prometheus data source variable."""
    datasource = {"type": "prometheus", "uid": "${datasource}"}
    grafana_panels = []
    for index, panel in enumerate(panels(capacity)):
        grafana_panels.append(
            {
                "id": index + 1,
                "type": "timeseries",
                "title": panel.title,
                "datasource": datasource,
                "gridPos": {
                    "x": (index % 2) * PANEL_WIDTH,
                    "y": (index // 2) * PANEL_HEIGHT,
                    "w": PANEL_WIDTH,
                    "h": PANEL_HEIGHT,
                },
                "targets": [
                    {"refId": chr(ord("A") + position), "expr": target.expr, "legendFormat": target.legend}
                    for position, target in enumerate(panel.targets)
                ],
            }
        )
    return {
        "uid": f"airflow-ha-{capacity.stack}"[:40],
        "title": f"Airflow {capacity.stack}: capacity against use",
        "tags": ["airflow", "airflow-ha", capacity.tier],
        "schemaVersion": 39,
        "time": {"from": "now-6h", "to": "now"},
        "refresh": "1m",
        "templating": {
            "list": [{"name": "datasource", "type": "datasource", "query": "prometheus", "label": "Data source"}]
        },
        "panels": grafana_panels,
    }


def dashboard_json(capacity: MonitoredCapacity) -> str:
    return json.dumps(dashboard(capacity), indent=2, sort_keys=True)
