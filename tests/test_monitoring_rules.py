"""The PrometheusRule of every shipped stack, judged by promtool: valid syntax, and every alert
fires on a synthetic series that should fire it and stays silent on a near miss.

The synthetic series carry the labels the Prometheus Operator gives scraped series (namespace,
service, pod) and the names the StatsD and PgBouncer exporters expose; the thresholds come from
the stack's capacity model (``derive_tuning``) and config, not from the rule text.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import pytest
import yaml

from components.config.model import StackConfig
from components.tuning.derive import derive_tuning
from tests.support.manifests import SHIPPED_STACKS
from tests.support.promtool import prometheus_rule, run_promtool, write_rules
from tests.support.stacks import shipped_stack

SECRETS = {"slackWebhookUrl": "https://hooks.slack.com/services/T0/B0/x", "openlineageApiKey": "key"}
SAMPLES = "x70"  # one sample a minute for 70 minutes
EVAL_TIME = "55m"
Series = list[tuple[str, str]]


def stack_config(name: str) -> StackConfig:
    return shipped_stack(name, **SECRETS) if name in ("staging", "prod") else shipped_stack(name)


def _labels(**labels: str) -> str:
    return "{" + ", ".join(f'{key}="{value}"' for key, value in labels.items()) + "}"


@dataclass(frozen=True)
class Scraped:
    """Labels of the series one stack's exporters expose, as the Prometheus Operator scrapes them."""

    cfg: StackConfig

    def statsd(self, metric: str, **labels: str) -> str:
        release = self.cfg.kubernetes.release_name
        return metric + _labels(
            namespace=self.cfg.kubernetes.namespace,
            service=f"{release}-statsd",
            pod=f"{release}-statsd-5d9c7b-x2k4q",
            **labels,
        )

    def pool(self, metric: str) -> str:
        return self.statsd(metric, pool="default_pool")

    def pgbouncer(self, metric: str, pod: str = "a", database: str = "airflow-metadata") -> str:
        release = self.cfg.kubernetes.release_name
        return f"pgbouncer_exporter_pools_{metric}" + _labels(
            namespace=self.cfg.kubernetes.namespace,
            service=f"{release}-pgbouncer",
            pod=f"{release}-pgbouncer-{pod}",
            database=database,
            user="airflow",
            pool_mode="transaction",
        )


def constant(value: float) -> str:
    return f"{value:g}{SAMPLES}"


def rising(per_minute: float) -> str:
    return f"0+{per_minute:g}{SAMPLES}"


def heartbeat(metric: str) -> Callable[[StackConfig, Scraped], tuple[Series, Series]]:
    def scenario(_cfg: StackConfig, s: Scraped) -> tuple[Series, Series]:
        return [(s.statsd(metric), constant(1234))], [(s.statsd(metric), rising(12))]

    return scenario


def schedulers_below(cfg: StackConfig, s: Scraped) -> tuple[Series, Series]:
    # A scheduler counts one heartbeat every 5 s (12 a minute), a little fewer on a busy loop.
    n = cfg.scheduler.replicas
    missing_one = [(s.statsd("airflow_scheduler_heartbeat"), rising(12 * (n - 1)))]
    all_busy = [(s.statsd("airflow_scheduler_heartbeat"), rising(12 * n * 0.85))]
    return missing_one, all_busy


def queued_with_free_slots(_cfg: StackConfig, s: Scraped) -> tuple[Series, Series]:
    stuck = [(s.pool("airflow_pool_queued_slots"), constant(3)), (s.pool("airflow_pool_open_slots"), constant(10))]
    waiting_for_slots = [
        (s.pool("airflow_pool_queued_slots"), constant(3)),
        (s.pool("airflow_pool_open_slots"), constant(0)),
    ]
    return stuck, waiting_for_slots


def pool_full(_cfg: StackConfig, s: Scraped) -> tuple[Series, Series]:
    full = [(s.pool("airflow_pool_open_slots"), constant(0)), (s.statsd("airflow_scheduler_tasks_starving"), "4x70")]
    one_free = [
        (s.pool("airflow_pool_open_slots"), constant(1)),
        (s.statsd("airflow_scheduler_tasks_starving"), "4x70"),
    ]
    return full, one_free


def pool_saturated(cfg: StackConfig, s: Scraped) -> tuple[Series, Series]:
    slots = derive_tuning(cfg).default_pool_task_slot_count
    free_share = 1 - cfg.monitoring.thresholds.pool_saturation_percent / 100
    over = max(0, math.ceil(slots * free_share) - 1)
    under = min(slots, math.floor(slots * free_share) + 1)
    return [(s.pool("airflow_pool_open_slots"), constant(over))], [(s.pool("airflow_pool_open_slots"), constant(under))]


def _pgbouncer_budget(cfg: StackConfig, limit: int) -> tuple[int, int]:
    share = cfg.monitoring.thresholds.pgbouncer_budget_percent / 100
    return math.floor(limit * share) + 1, math.ceil(limit * share) - 1


SERVER_STATES = ("active_server", "idle_server", "used_server", "tested_server", "login_server")


def pgbouncer_clients(cfg: StackConfig, s: Scraped) -> tuple[Series, Series]:
    pools = derive_tuning(cfg).pgbouncer
    assert pools is not None
    over, under = _pgbouncer_budget(cfg, pools.max_client_conn)

    def clients(active: int) -> Series:
        # Half active, half waiting; the admin console's own clients do not count.
        return [
            (s.pgbouncer("active_clients"), constant(active - active // 2)),
            (s.pgbouncer("waiting_clients"), constant(active // 2)),
            (s.pgbouncer("active_clients", pod="b"), constant(1)),
            (s.pgbouncer("waiting_clients", pod="b"), constant(0)),
            (s.pgbouncer("active_clients", database="pgbouncer"), constant(pools.max_client_conn)),
            (s.pgbouncer("waiting_clients", database="pgbouncer"), constant(0)),
        ]

    return clients(over), clients(under)


def pgbouncer_servers(cfg: StackConfig, s: Scraped) -> tuple[Series, Series]:
    pools = derive_tuning(cfg).pgbouncer
    assert pools is not None
    over, under = _pgbouncer_budget(cfg, pools.server_connections)

    def servers(active: int) -> Series:
        series = [(s.pgbouncer(state), constant(0)) for state in SERVER_STATES[1:]]
        series += [(s.pgbouncer(state, database="airflow-result-backend"), constant(0)) for state in SERVER_STATES]
        return [(s.pgbouncer("active_server"), constant(active)), *series]

    return servers(over), servers(under)


def import_errors(_cfg: StackConfig, s: Scraped) -> tuple[Series, Series]:
    metric = "airflow_dag_processing_import_errors"
    return [(s.statsd(metric), constant(2))], [(s.statsd(metric), constant(0))]


def failure_rate(cfg: StackConfig, s: Scraped) -> tuple[Series, Series]:
    percent = cfg.monitoring.thresholds.task_failure_percent
    finished = 20

    def outcomes(failed_per_minute: float) -> Series:
        return [
            (s.statsd("airflow_ti_finish"), rising(finished)),
            (s.statsd("airflow_ti_failures"), rising(failed_per_minute)),
        ]

    return outcomes(finished * min(100, percent + 10) / 100), outcomes(finished * max(0, percent - 5) / 100)


def triggerer_capacity(cfg: StackConfig, s: Scraped) -> tuple[Series, Series]:
    capacity = cfg.triggerer.capacity
    share = cfg.monitoring.thresholds.triggerer_capacity_percent / 100
    busy = s.statsd("airflow_triggers_running", hostname="airflow-triggerer-0")
    idle = s.statsd("airflow_triggers_running", hostname="airflow-triggerer-1")
    return (
        [(busy, constant(math.floor(capacity * share) + 1)), (idle, constant(0))],
        [(busy, constant(math.ceil(capacity * share) - 1)), (idle, constant(0))],
    )


def workers_at_max(cfg: StackConfig, s: Scraped) -> tuple[Series, Series]:
    slots = derive_tuning(cfg).celery_slots
    return (
        [(s.pool("airflow_pool_running_slots"), constant(slots)), (s.pool("airflow_pool_queued_slots"), constant(5))],
        [(s.pool("airflow_pool_running_slots"), constant(slots - 1)), (s.pool("airflow_pool_queued_slots"), "0x70")],
    )


SCENARIOS: dict[str, Callable[[StackConfig, Scraped], tuple[Series, Series]]] = {
    "AirflowSchedulerHeartbeatMissing": heartbeat("airflow_scheduler_heartbeat"),
    "AirflowTriggererHeartbeatMissing": heartbeat("airflow_triggerer_heartbeat"),
    "AirflowDagProcessorHeartbeatMissing": heartbeat("airflow_dag_processor_heartbeat"),
    "AirflowSchedulersBelowConfigured": schedulers_below,
    "AirflowTasksQueuedWithFreeSlots": queued_with_free_slots,
    "AirflowDefaultPoolFull": pool_full,
    "AirflowDefaultPoolSaturated": pool_saturated,
    "AirflowPgbouncerClientsNearLimit": pgbouncer_clients,
    "AirflowPgbouncerServerPoolNearLimit": pgbouncer_servers,
    "AirflowDagImportErrors": import_errors,
    "AirflowTaskFailureRateHigh": failure_rate,
    "AirflowTriggererNearCapacity": triggerer_capacity,
    "AirflowCeleryWorkersAtMaximum": workers_at_max,
}


def alert_rules(cfg: StackConfig) -> list[dict]:
    return [rule for group in prometheus_rule(cfg)["spec"]["groups"] for rule in group["rules"]]


def _test_group(alert: str, series: Series, *, fires: bool) -> dict:
    return {
        "name": f"{alert} {'fires' if fires else 'stays silent'}",
        "interval": "1m",
        "input_series": [{"series": name, "values": values} for name, values in series],
        "promql_expr_test": [
            {
                "expr": f'count(ALERTS{{alertname="{alert}", alertstate="firing"}})',
                "eval_time": EVAL_TIME,
                "exp_samples": [{"labels": "{}", "value": 1}] if fires else [],
            }
        ],
    }


@pytest.mark.parametrize("stack_name", SHIPPED_STACKS)
def test_promtool_accepts_every_stacks_rules(stack_name, tmp_path):
    rules = write_rules(stack_config(stack_name), tmp_path)
    checked = run_promtool("check", "rules", str(rules), cwd=tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "SUCCESS" in checked.stdout


@pytest.mark.parametrize("stack_name", SHIPPED_STACKS)
def test_every_alert_fires_when_it_should_and_only_then(stack_name, tmp_path):
    cfg = stack_config(stack_name)
    rules = write_rules(cfg, tmp_path)
    scraped = Scraped(cfg)
    names = [rule["alert"] for rule in alert_rules(cfg)]
    assert set(names) <= set(SCENARIOS), f"alerts without a scenario: {set(names) - set(SCENARIOS)}"
    groups = []
    for alert in names:
        firing, silent = SCENARIOS[alert](cfg, scraped)
        groups += [_test_group(alert, firing, fires=True), _test_group(alert, silent, fires=False)]
    tests = tmp_path / "tests.yml"
    tests.write_text(
        yaml.safe_dump({"rule_files": [rules.name], "evaluation_interval": "1m", "tests": groups}, sort_keys=False)
    )
    result = run_promtool("test", "rules", tests.name, cwd=tmp_path)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-6000:]


def test_the_scenarios_tell_a_broken_rule_apart(tmp_path):
    """A rule whose threshold is off by the whole budget fails its scenario: the harness can fail."""
    cfg = stack_config("prod")
    rule = prometheus_rule(cfg)
    for group in rule["spec"]["groups"]:
        for alert in group["rules"]:
            if alert["alert"] == "AirflowTriggererNearCapacity":
                alert["expr"] = alert["expr"].rsplit(">", 1)[0] + f"> {cfg.triggerer.capacity}"
    (tmp_path / "prod.rules.yml").write_text(yaml.safe_dump(rule["spec"]))
    firing, _ = triggerer_capacity(cfg, Scraped(cfg))
    tests = {
        "rule_files": ["prod.rules.yml"],
        "evaluation_interval": "1m",
        "tests": [_test_group("AirflowTriggererNearCapacity", firing, fires=True)],
    }
    (tmp_path / "tests.yml").write_text(yaml.safe_dump(tests))
    assert run_promtool("test", "rules", "tests.yml", cwd=tmp_path).returncode != 0


@pytest.mark.parametrize("stack_name", SHIPPED_STACKS)
def test_every_alert_has_a_severity_a_summary_naming_the_stack_and_a_runbook_section(stack_name):
    from tests.support.paths import REPO

    runbook = (REPO / "docs" / "runbooks" / "alerts.md").read_text()
    # GitHub's anchor of a heading made of one word is that word, lower-cased.
    headings = {line.lstrip("#").strip().lower() for line in runbook.splitlines() if line.startswith("#")}
    cfg = stack_config(stack_name)
    for rule in alert_rules(cfg):
        assert rule["labels"]["severity"] in ("critical", "warning")
        assert f"[{cfg.stack}]" in rule["annotations"]["summary"]
        page, _, anchor = rule["annotations"]["runbook_url"].partition("#")
        assert page == cfg.monitoring.runbook_url
        assert anchor in headings, f"{rule['alert']}: no section titled '{anchor}' in docs/runbooks/alerts.md"


def test_prod_alerts_cover_every_condition_the_issue_lists():
    names = {rule["alert"] for rule in alert_rules(stack_config("prod"))}
    assert names == set(SCENARIOS)
