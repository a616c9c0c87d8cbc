"""The alerts of one stack, as a Prometheus Operator PrometheusRule (pure).

Series names are those the chart's StatsD exporter gives Airflow 3's metrics (its mapping plus
the kit's ``statsd_mappings.py``) and those the chart's PgBouncer exporter (jbub/pgbouncer_exporter)
exposes. Every series an expression reads is declared in ``Alert.series``: the contract test checks
them against what real Airflow sends, so no alert waits on a metric that does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from .capacity import SCHEDULER_HEARTBEAT_SECONDS, MonitoredCapacity

Severity = Literal["critical", "warning"]
RULE_GROUP = "airflow-ha"
FAILURE_WINDOW = "15m"
# Fewer finished tasks than this in the failure window say nothing about a failure rate.
FAILURE_RATE_MIN_TASKS = 10
SATURATION_FOR = "10m"
PGBOUNCER_ADMIN_DATABASE = "pgbouncer"
DEFAULT_POOL = "default_pool"


@dataclass(frozen=True)
class Alert:
    name: str
    severity: Severity
    expr: str
    for_: str
    summary: str
    description: str
    series: tuple[str, ...]  # every series name `expr` reads

    @property
    def anchor(self) -> str:
        """The section of docs/runbooks/alerts.md titled with the alert's name (GitHub's anchor of it)."""
        return self.name.lower()


def statsd_selector(capacity: MonitoredCapacity, **labels: str) -> str:
    names = capacity.names
    matchers = {"namespace": names.namespace, "service": f"{names.release}-statsd", **labels}
    return "{" + ", ".join(f'{key}="{value}"' for key, value in matchers.items()) + "}"


def pgbouncer_selector(capacity: MonitoredCapacity) -> str:
    names = capacity.names
    return (
        f'{{namespace="{names.namespace}", service="{names.release}-pgbouncer", '
        f'database!="{PGBOUNCER_ADMIN_DATABASE}"}}'
    )


def alerts(capacity: MonitoredCapacity) -> tuple[Alert, ...]:
    t = capacity.thresholds
    stack = capacity.stack
    sel = statsd_selector(capacity)
    pool = statsd_selector(capacity, pool=DEFAULT_POOL)
    heartbeat = f"{t.heartbeat_missing_minutes}m"
    found: list[Alert] = []

    for component, metric in (
        ("scheduler", "airflow_scheduler_heartbeat"),
        ("triggerer", "airflow_triggerer_heartbeat"),
        ("dag-processor", "airflow_dag_processor_heartbeat"),
    ):
        title = component.title().replace("-", "")
        found.append(
            Alert(
                name=f"Airflow{title}HeartbeatMissing",
                severity="critical",
                expr=f"sum(increase({metric}{sel}[{heartbeat}])) == 0 or absent({metric}{sel})",
                for_="1m",
                summary=f"[{stack}] no Airflow {component} has heartbeated for {heartbeat}",
                description=f"Every {component} of stack {stack} is down or stuck: "
                + {
                    "scheduler": "no task is being scheduled.",
                    "triggerer": "deferred tasks do not resume.",
                    "dag-processor": "DAG changes are not picked up.",
                }[component],
                series=(metric,),
            )
        )

    found.append(
        Alert(
            name="AirflowSchedulersBelowConfigured",
            severity="warning",
            expr=f"sum(rate(airflow_scheduler_heartbeat{sel}[5m])) * {SCHEDULER_HEARTBEAT_SECONDS} "
            f"< {capacity.live_schedulers_floor}",
            for_="5m",
            summary=f"[{stack}] fewer than {capacity.schedulers} Airflow schedulers are heartbeating",
            description=f"Stack {stack} runs {capacity.schedulers} schedulers (scheduler.replicas); the heartbeat "
            "rate says at least one is not running its loop.",
            series=("airflow_scheduler_heartbeat",),
        )
    )
    queued = f"{t.queued_minutes}m"
    found.append(
        Alert(
            name="AirflowTasksQueuedWithFreeSlots",
            severity="warning",
            expr=f"min_over_time(airflow_pool_queued_slots{pool}[{queued}]) > 0 "
            f"and min_over_time(airflow_pool_open_slots{pool}[{queued}]) > 0",
            for_="1m",
            summary=f"[{stack}] tasks have stayed queued for {queued} while the default pool had free slots",
            description="Tasks were handed to the executor but no worker picks them up: the broker, the workers "
            "or the task pods are not taking work.",
            series=("airflow_pool_queued_slots", "airflow_pool_open_slots"),
        )
    )
    full = f"{t.no_free_slots_minutes}m"
    found.append(
        Alert(
            name="AirflowDefaultPoolFull",
            severity="critical",
            expr=f"max_over_time(airflow_pool_open_slots{pool}[{full}]) <= 0 "
            f"and on (namespace, service) max_over_time(airflow_scheduler_tasks_starving{sel}[{full}]) > 0",
            for_="1m",
            summary=f"[{stack}] the default pool has had no free slot for {full} while tasks wait",
            description=f"All {capacity.default_pool_slots} slots of default_pool are taken and tasks wait for "
            "one: the workload has outgrown the capacity declared in workload.peakRunningTasks.",
            series=("airflow_pool_open_slots", "airflow_scheduler_tasks_starving"),
        )
    )
    slots = capacity.default_pool_slots
    found.append(
        Alert(
            name="AirflowDefaultPoolSaturated",
            severity="warning",
            expr=f"(1 - airflow_pool_open_slots{pool} / {slots}) * 100 > {t.pool_saturation_percent}",
            for_=SATURATION_FOR,
            summary=f"[{stack}] the default pool is over {t.pool_saturation_percent}% of its {slots} slots",
            description="The workload is near the capacity the kit sized for; see the capacity planning runbook.",
            series=("airflow_pool_open_slots",),
        )
    )
    if capacity.pgbouncer_max_client_conn is not None and capacity.pgbouncer_server_connections is not None:
        pgb = pgbouncer_selector(capacity)
        share = t.pgbouncer_budget_percent / 100
        clients = capacity.pgbouncer_max_client_conn
        servers = capacity.pgbouncer_server_connections
        found.append(
            Alert(
                name="AirflowPgbouncerClientsNearLimit",
                severity="warning",
                expr=f"sum by (namespace, pod) (pgbouncer_exporter_pools_active_clients{pgb}"
                f" + pgbouncer_exporter_pools_waiting_clients{pgb}) > {round(clients * share, 2)}",
                for_="5m",
                summary=f"[{stack}] a PgBouncer pod holds over {t.pgbouncer_budget_percent}% of its "
                f"{clients} client connections",
                description="Near max_client_conn, PgBouncer refuses new Airflow connections.",
                series=("pgbouncer_exporter_pools_active_clients", "pgbouncer_exporter_pools_waiting_clients"),
            )
        )
        server_series = ("active_server", "idle_server", "used_server", "tested_server", "login_server")
        total = " + ".join(f"pgbouncer_exporter_pools_{s}{pgb}" for s in server_series)
        found.append(
            Alert(
                name="AirflowPgbouncerServerPoolNearLimit",
                severity="warning",
                expr=f"sum by (namespace, pod) ({total}) > {round(servers * share, 2)}",
                for_="5m",
                summary=f"[{stack}] a PgBouncer pod uses over {t.pgbouncer_budget_percent}% of its "
                f"{servers} server connections",
                description="When the server pools are full, Airflow's queries wait in PgBouncer's queue.",
                series=tuple(f"pgbouncer_exporter_pools_{s}" for s in server_series),
            )
        )
    found.append(
        Alert(
            name="AirflowDagImportErrors",
            severity="warning",
            expr=f"max(airflow_dag_processing_import_errors{sel}) > 0",
            for_=f"{t.import_errors_minutes}m",
            summary=f"[{stack}] DAG files fail to import",
            description="The DAGs in those files are not updated or scheduled; the UI lists the errors.",
            series=("airflow_dag_processing_import_errors",),
        )
    )
    found.append(
        Alert(
            name="AirflowTaskFailureRateHigh",
            severity="warning",
            expr=f"sum(increase(airflow_ti_failures{sel}[{FAILURE_WINDOW}])) "
            f"/ sum(increase(airflow_ti_finish{sel}[{FAILURE_WINDOW}])) * 100 > {t.task_failure_percent} "
            f"and sum(increase(airflow_ti_finish{sel}[{FAILURE_WINDOW}])) >= {FAILURE_RATE_MIN_TASKS}",
            for_="5m",
            summary=f"[{stack}] over {t.task_failure_percent}% of tasks failed in {FAILURE_WINDOW}",
            description="Many tasks failing at once usually has one cause outside the DAGs: a connection, "
            "a secret, an image, or the workers.",
            series=("airflow_ti_failures", "airflow_ti_finish"),
        )
    )
    capacity_share = t.triggerer_capacity_percent / 100
    found.append(
        Alert(
            name="AirflowTriggererNearCapacity",
            severity="warning",
            expr=f"max by (hostname) (airflow_triggers_running{sel}) "
            f"> {round(capacity.triggerer_capacity * capacity_share, 2)}",
            for_=SATURATION_FOR,
            summary=f"[{stack}] a triggerer runs over {t.triggerer_capacity_percent}% of its "
            f"{capacity.triggerer_capacity} triggers",
            description="At capacity a triggerer takes no more triggers, and deferred tasks wait.",
            series=("airflow_triggers_running",),
        )
    )
    if capacity.celery_slots_at_max is not None:
        at_max = f"{t.workers_at_max_minutes}m"
        found.append(
            Alert(
                name="AirflowCeleryWorkersAtMaximum",
                severity="warning",
                expr=f"min_over_time((airflow_pool_running_slots{pool} + airflow_pool_queued_slots{pool})"
                f"[{at_max}:1m]) >= {capacity.celery_slots_at_max}",
                for_="1m",
                summary=f"[{stack}] Celery work has filled KEDA's maximum of workers for {at_max}",
                description=f"Running and queued tasks fill the {capacity.celery_slots_at_max} slots of KEDA's "
                "maximum of workers (celery.workers.maxReplicas × concurrency): KEDA cannot add a worker.",
                series=("airflow_pool_running_slots", "airflow_pool_queued_slots"),
            )
        )
    return tuple(found)


def prometheus_rule_spec(capacity: MonitoredCapacity) -> dict[str, Any]:
    """The ``spec`` of the PrometheusRule (monitoring.coreos.com/v1)."""
    return {
        "groups": [
            {
                "name": RULE_GROUP,
                "rules": [
                    {
                        "alert": alert.name,
                        "expr": alert.expr,
                        "for": alert.for_,
                        "labels": {"severity": alert.severity, "stack": capacity.stack, "tier": capacity.tier},
                        "annotations": {
                            "summary": alert.summary,
                            "description": alert.description,
                            "runbook_url": f"{capacity.runbook_url}#{alert.anchor}",
                        },
                    }
                    for alert in alerts(capacity)
                ],
            }
        ]
    }
