"""No alert and no dashboard panel waits on a metric that does not exist.

Real Airflow 3.2.2 (scheduler, dag-processor and triggerer, then a DAG run with a failing task and
a deferred one) sends StatsD to a receiver on 127.0.0.1. Each metric name goes through the mapping
the real chart renders for the stack (``<release>-statsd`` ConfigMap, chart defaults plus the kit's
``statsd.extraMappings``), as the exporter would name it; every series an alert or panel reads
must be among them. PgBouncer's series are checked against its exporter's documented metrics.
"""

from __future__ import annotations

import re
import textwrap
import time

import pytest
import yaml

from components.naming.kubernetes import Names
from components.tuning.derive import derive_tuning
from components.values.monitoring import alerts, monitored_capacity, panels
from components.values.monitoring.capacity import HEARTBEAT_DUTY, SCHEDULER_HEARTBEAT_SECONDS
from tests.support import pgbouncer_exporter
from tests.support.airflow import AirflowHome, AirflowProcesses, effective_airflow_config
from tests.support.manifests import shipped_manifests
from tests.support.paths import CHART_DIR
from tests.support.servers import postgres
from tests.support.stacks import shipped_stack
from tests.support.statsd import StatsdMapping, StatsdReceiver

pytestmark = pytest.mark.contract

SECRETS = {"slackWebhookUrl": "https://hooks.slack.com/services/T0/B0/x", "openlineageApiKey": "key"}
MONITORED_STACKS = ("staging", "prod")
DAG_ID = "contract_metrics"
# What the components must have sent before the capture ends (one of each kind of component).
EXPECTED_BEFORE_STOP = (
    "scheduler_heartbeat",
    "triggerer_heartbeat",
    "dag_processor_heartbeat",
    "pool.open_slots.default_pool",
    "triggers.running.",
    "dag_processing.import_errors",
)
CAPTURE_TIMEOUT_SECONDS = 240

DAG = textwrap.dedent(
    f'''
    import datetime

    import pendulum
    from airflow.providers.standard.sensors.time_delta import TimeDeltaSensor
    from airflow.sdk import dag, task

    @dag(dag_id="{DAG_ID}", schedule=None, start_date=pendulum.datetime(2026, 1, 1), catchup=False)
    def pipeline():
        @task
        def succeeds():
            return 1

        @task
        def fails():
            raise RuntimeError("fails on purpose")

        succeeds() >> fails()
        TimeDeltaSensor(task_id="waits", delta=datetime.timedelta(seconds=1), deferrable=True)

    pipeline()
    '''
)


def chart_statsd_prefix() -> str:
    """``[metrics] statsd_prefix`` as the chart configures Airflow."""
    values = yaml.safe_load((CHART_DIR / "values.yaml").read_text())
    return str(values["config"]["metrics"]["statsd_prefix"])


@pytest.fixture(scope="module")
def sent(tmp_path_factory):
    """Every StatsD sample real Airflow components sent while running and running a DAG."""
    workdir = tmp_path_factory.mktemp("metrics")
    cfg = shipped_stack("local")
    with postgres(workdir) as database, StatsdReceiver() as receiver:
        database.create_database("airflow")
        home = AirflowHome.create(
            workdir / "home",
            effective_airflow_config(cfg),
            {
                "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": database.url("airflow"),
                "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
                "AIRFLOW__METRICS__STATSD_ON": "True",
                "AIRFLOW__METRICS__STATSD_HOST": "127.0.0.1",
                "AIRFLOW__METRICS__STATSD_PORT": str(receiver.port),
                "AIRFLOW__METRICS__STATSD_PREFIX": chart_statsd_prefix(),
            },
        )
        (home.dags / "pipeline.py").write_text(DAG)
        (home.dags / "broken.py").write_text("import a_module_that_does_not_exist\n")
        migrated = home.airflow("db", "migrate")
        assert migrated.returncode == 0, migrated.stderr[-3000:]
        with AirflowProcesses.for_home(home) as processes:
            for component in ("scheduler", "dag-processor", "triggerer"):
                processes.start(component, component)
            run = home.airflow("dags", "test", DAG_ID)
            assert "fails on purpose" in run.stdout + run.stderr, run.stderr[-3000:]
            deadline = time.monotonic() + CAPTURE_TIMEOUT_SECONDS
            while not all(any(want in name for name in receiver.names()) for want in EXPECTED_BEFORE_STOP):
                processes.group.check_alive()
                assert time.monotonic() < deadline, f"not sent in time: {EXPECTED_BEFORE_STOP}, got {receiver.names()}"
                time.sleep(1)
        yield list(receiver.samples)


def rendered_mapping(stack_name: str) -> StatsdMapping:
    manifests = shipped_manifests(stack_name)
    release = shipped_stack(stack_name, **SECRETS).kubernetes.release_name
    config_map = manifests.of_kind("ConfigMap")[f"{release}-statsd"]
    return StatsdMapping(config_map["data"]["mappings.yml"])


def used_series(stack_name: str) -> dict[str, set[str]]:
    """Every series each alert and panel of the stack reads, by who reads it."""
    cfg = shipped_stack(stack_name, **SECRETS)
    capacity = monitored_capacity(cfg, Names(cfg.kubernetes.release_name, cfg.kubernetes.namespace), derive_tuning(cfg))
    used: dict[str, set[str]] = {}
    for alert in alerts(capacity):
        used[f"alert {alert.name}"] = set(alert.series)
    for panel in panels(capacity):
        used[f"panel {panel.title!r}"] = set(panel.series)
    return used


@pytest.mark.parametrize("stack_name", MONITORED_STACKS)
def test_every_statsd_series_an_alert_or_panel_reads_is_exported(sent, stack_name):
    exported = rendered_mapping(stack_name).series(sent)
    missing = {
        who: sorted(name for name in names if not name.startswith("pgbouncer_") and name not in exported)
        for who, names in used_series(stack_name).items()
    }
    assert {who: names for who, names in missing.items() if names} == {}


@pytest.mark.parametrize("stack_name", MONITORED_STACKS)
def test_every_pgbouncer_series_is_one_the_charts_exporter_documents(stack_name):
    manifests = shipped_manifests(stack_name)
    images = {
        container["image"]
        for deployment in manifests.of_kind("Deployment").values()
        for container in deployment["spec"]["template"]["spec"]["containers"]
        if container["name"] == "metrics-exporter"
    }
    assert images, "no PgBouncer metrics sidecar rendered"
    assert all(image.split("@")[0].endswith(pgbouncer_exporter.EXPORTER_IMAGE_TAG_SUFFIX) for image in images), images
    used = {name for names in used_series(stack_name).values() for name in names if name.startswith("pgbouncer_")}
    assert used, "the stack has PgBouncer; its alerts should read it"
    assert used <= pgbouncer_exporter.SERIES


def test_no_two_airflow_metrics_collide_on_one_series_with_other_labels(sent):
    """The exporter refuses a second label set for a name it has seen: the first sender wins."""
    label_sets: dict[str, set[frozenset[str]]] = {}
    mapping = rendered_mapping("prod")
    for sample in sent:
        mapped = mapping.prometheus_name(sample.name)
        if mapped is not None:
            label_sets.setdefault(mapped[0], set()).add(frozenset(mapped[1]))
    assert {name: sets for name, sets in label_sets.items() if len(sets) > 1} == {}


def test_airflow_3_names_differ_from_airflow_2s(sent):
    """Why the check matters: the chart still maps Airflow 2 names that Airflow 3 no longer sends."""
    names = {sample.name for sample in sent}
    assert "airflow.pool.open_slots.default_pool" in names
    assert not any(name.startswith(("airflow.pool.used_slots.", "airflow.pool.starving_tasks.")) for name in names)


@pytest.mark.parametrize("stack_name", MONITORED_STACKS)
def test_each_alert_declares_every_series_its_expression_reads(stack_name):
    cfg = shipped_stack(stack_name, **SECRETS)
    capacity = monitored_capacity(cfg, Names(cfg.kubernetes.release_name, cfg.kubernetes.namespace), derive_tuning(cfg))
    selector = re.compile(r"([a-zA-Z_:][a-zA-Z0-9_:]*)\{")
    for alert in alerts(capacity):
        assert set(selector.findall(alert.expr)) == set(alert.series), alert.name
    for panel in panels(capacity):
        read = {name for target in panel.targets for name in selector.findall(target.expr)}
        assert read == set(panel.series), panel.title


def test_one_scheduler_counts_nearly_one_heartbeat_per_interval(sent):
    """What `AirflowSchedulersBelowConfigured` assumes of a live scheduler, on this loaded machine."""
    beats = sorted(s.received_at for s in sent if s.name.endswith(".scheduler_heartbeat"))
    assert len(beats) >= 4, beats
    per_interval = (len(beats) - 1) / (beats[-1] - beats[0]) * SCHEDULER_HEARTBEAT_SECONDS
    assert HEARTBEAT_DUTY <= per_interval <= 1.05, per_interval
