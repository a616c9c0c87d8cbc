"""StatsD exporter mappings the kit adds to the chart's (``statsd.extraMappings``), for Airflow 3 (pure).

Airflow 3 sends several gauges twice: with the pool or host in the name (``pool.open_slots.default_pool``,
``triggers.running.<hostname>``) and without (``pool.open_slots``, the value of whichever pool or host
came last). The chart maps only some of the named forms (``pool.open_slots.*``), so the rest reach
Prometheus as one metric per pool or host, and the bare form of a mapped one lands on the same
metric name with other labels, which the exporter refuses as a conflict with whichever came first.
The kit maps every named form to a label and drops the bare forms; the metrics contract test
(tests/contract/test_contract_metrics.py) finds any other collision real Airflow produces.
"""

from __future__ import annotations

from typing import Any

# (StatsD metric, Prometheus name, label of the rest of the name). A pool name is one part of the
# StatsD name (Airflow normalises it); a host name is the pod's IP (`[core] hostname_callable`,
# values/live_logs.py) or a DNS name, dots included, so it is matched by a regex to the end.
LABELLED = (
    ("airflow.pool.open_slots", "airflow_pool_open_slots", "pool"),
    ("airflow.pool.queued_slots", "airflow_pool_queued_slots", "pool"),
    ("airflow.pool.running_slots", "airflow_pool_running_slots", "pool"),
    ("airflow.pool.deferred_slots", "airflow_pool_deferred_slots", "pool"),
    ("airflow.pool.scheduled_slots", "airflow_pool_scheduled_slots", "pool"),
    ("airflow.triggers.running", "airflow_triggers_running", "hostname"),
    ("airflow.triggerer.capacity_left", "airflow_triggerer_capacity_left", "hostname"),
)
HOST_LABEL = "hostname"
# A replaced triggerer comes back with another IP: its old series expire instead of holding their
# last value (and an alert) for as long as the exporter runs.
HOST_SERIES_TTL = "10m"
# The chart maps these already (`airflow.pool.open_slots.*`, `airflow.operator_failures_(.*)`,
# `airflow.dag.*.*.duration`, `airflow.ti.queued.*.*.*`...): the kit only drops their bare forms.
CHART_MAPPED = (
    "airflow.pool.open_slots",
    "airflow.operator_failures",
    "airflow.operator_successes",
    "airflow.task.duration",
    "airflow.ti.running",
    "airflow.ti.queued",
    "airflow.ti.scheduled",
    "airflow.ti.deferred",
)


def statsd_extra_mappings() -> list[dict[str, Any]]:
    mappings: list[dict[str, Any]] = [
        _host_mapping(metric, name)
        if label == HOST_LABEL
        else {"match": f"{metric}.*", "name": name, "labels": {label: "$1"}}
        for metric, name, label in LABELLED
        if metric not in CHART_MAPPED
    ]
    bare = dict.fromkeys([*CHART_MAPPED, *(metric for metric, _, _ in LABELLED)])
    mappings += [{"match": metric, "name": "dropped", "action": "drop"} for metric in bare]
    return mappings


def _host_mapping(metric: str, name: str) -> dict[str, Any]:
    pattern = "^" + metric.replace(".", r"\.") + r"\.(.+)$"
    return {
        "match": pattern,
        "match_type": "regex",
        "name": name,
        "labels": {HOST_LABEL: "$1"},
        "ttl": HOST_SERIES_TTL,
    }
