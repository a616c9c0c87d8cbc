"""The series the chart's PgBouncer metrics sidecar exposes.

The chart 1.22.0 runs ``apache/airflow:airflow-pgbouncer-exporter-2025.03.05-0.18.0``, Airflow's
build of jbub/pgbouncer_exporter 0.18.0. Its collector (``internal/collector/metrics.go`` at tag
v0.18.0) names every series ``pgbouncer_exporter_<subsystem>_<name>``, from ``SHOW STATS``,
``SHOW POOLS``, ``SHOW DATABASES`` and ``SHOW LISTS``; the pools' series carry ``database``,
``user`` and ``pool_mode`` labels. No exporter binary can run here (no container runtime, and it is
not packaged), so this list is the documented contract, tied to the image tag the chart renders.
"""

from __future__ import annotations

EXPORTER_IMAGE_TAG_SUFFIX = "-0.18.0"
POOLS_SERIES = (
    "active_clients",  # cl_active: clients linked to a server connection, or idle
    "waiting_clients",  # cl_waiting: clients that sent a query and wait for a server connection
    "active_server",
    "idle_server",
    "used_server",
    "tested_server",
    "login_server",
    "max_wait",
)
STATS_SERIES = (
    "total_received",
    "total_sent",
    "total_query_time",
    "total_xact_time",
    "total_query_count",
    "total_xact_count",
)
DATABASE_SERIES = ("pool_size", "current_connections", "max_connections", "server_lifetime")

SERIES: frozenset[str] = frozenset(
    [f"pgbouncer_exporter_pools_{name}" for name in POOLS_SERIES]
    + [f"pgbouncer_exporter_stats_{name}" for name in STATS_SERIES]
    + [f"pgbouncer_exporter_database_{name}" for name in DATABASE_SERIES]
    + ["pgbouncer_exporter_lists_items"]
)
