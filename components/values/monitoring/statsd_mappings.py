"""StatsD exporter mappings the kit adds to the chart's (``statsd.extraMappings``), for Airflow 3 (pure).

Airflow 3 sends several gauges twice: with the pool or host in the name (``pool.open_slots.default_pool``,
``triggers.running.<hostname>``) and without (``pool.open_slots``, the value of whichever pool or host
came last). The chart maps only some of the named forms (``pool.open_slots.*``), so the rest reach
Prometheus as one metric per pool or host, and the bare form of a mapped one lands on the same
metric name with other labels, which the exporter refuses as a conflict with whichever came first.
The kit maps every named form to a label and drops the bare forms.
"""

from __future__ import annotations

from typing import Any

# (StatsD metric with one name part to capture, Prometheus name, label the part becomes)
LABELLED = (
    ("airflow.pool.open_slots", "airflow_pool_open_slots", "pool"),
    ("airflow.pool.queued_slots", "airflow_pool_queued_slots", "pool"),
    ("airflow.pool.running_slots", "airflow_pool_running_slots", "pool"),
    ("airflow.pool.deferred_slots", "airflow_pool_deferred_slots", "pool"),
    ("airflow.pool.scheduled_slots", "airflow_pool_scheduled_slots", "pool"),
    ("airflow.triggers.running", "airflow_triggers_running", "hostname"),
    ("airflow.triggerer.capacity_left", "airflow_triggerer_capacity_left", "hostname"),
)
# The chart maps this one already (`airflow.pool.open_slots.*`); the kit only drops its bare form.
CHART_MAPPED = ("airflow.pool.open_slots",)


def statsd_extra_mappings() -> list[dict[str, Any]]:
    mappings: list[dict[str, Any]] = [
        {"match": f"{metric}.*", "name": name, "labels": {label: "$1"}}
        for metric, name, label in LABELLED
        if metric not in CHART_MAPPED
    ]
    mappings += [{"match": metric, "name": "dropped", "action": "drop"} for metric, _, _ in LABELLED]
    return mappings
