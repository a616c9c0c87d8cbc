"""Wall time of a DAG of I/O-bound tasks under stock Airflow settings and under the kit's derived ones.

Real Airflow (the version the stacks deploy) on this machine, CeleryExecutor as the stacks run it:
a private PostgreSQL cluster and a broker (Redis, RabbitMQ, or both in turn with ``--broker``),
all started here on 127.0.0.1 and free ports,
then per configuration a fresh database, ``airflow db migrate``, an api-server (the Execution
API), a scheduler, a dag-processor and one Celery worker. The DAG has ``--tasks`` tasks that each
sleep ``--sleep`` seconds, as real tasks wait on warehouses and APIs. Every process started here
is stopped by its PID when the run ends, whatever happens (the shared harness in ``tests/support``).

The two configurations:

- stock: Airflow's defaults (16 tasks per DAG, worker_concurrency 16, parallelism 32);
- kit: ``tuning_airflow_options(derive_tuning(cfg), cfg)`` for the workload declared in
  ``declared_workload()``, sized to a 2-core, 24 GiB machine.

    .venv/bin/python -m benchmarks.throughput [--tasks 100] [--sleep 30] [--broker redis|rabbitmq|both]

With ``--broker both`` the same two configurations run on each broker, and the figures are printed
side by side at the end.
"""

from __future__ import annotations

import argparse
import contextlib
import secrets
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from components.config.errors import PROJECT
from components.config.model import StackConfig
from components.tuning.airflow_options import tuning_airflow_options
from components.tuning.derive import derive_tuning
from components.validation import validated_stack_config
from tests.support.airflow import AirflowHome, AirflowProcesses
from tests.support.processes import ProcessGroup
from tests.support.servers import Postgres, postgres, rabbitmq, redis

DAG_ID = "throughput"
# The benchmark's PostgreSQL allows this many connections; the declared workload says so.
PG_MAX_CONNECTIONS = 300
API_WORKERS = 2
STARTUP_TIMEOUT_SECONDS = 120

DAG_SOURCE = """
import time
from datetime import datetime

from airflow.sdk import dag, task


@dag(dag_id="{dag_id}", schedule=None, start_date=datetime(2024, 1, 1), catchup=False)
def throughput():
    @task
    def wait(seconds: int) -> None:
        time.sleep(seconds)  # a warehouse query, an API call

    for number in range({tasks}):
        wait.override(task_id=f"wait_{{number:03d}}")({sleep})


throughput()
"""


def declared_workload() -> StackConfig:
    """A stack whose workers are this machine: 2 cores and 24 GiB, with waiting (I/O-bound) tasks.

    A task's CPU request is what it burns on average over its life, Airflow's own work for it
    included (worker fork and supervisor, Execution API calls, scheduling, the database's share:
    the benchmark prints the measured CPU-seconds per task). 40m over a 30 s wait leaves room
    for bursts of task starts: one worker of 2 CPUs runs 50 at once. ``database.maxConnections``
    is the local server's.
    """
    values: dict[str, Any] = {
        "tier": "dev",
        "executor": "CeleryExecutor",
        "aws": {
            "region": "eu-west-1",
            "vpcId": "vpc-0123456789abcdef0",
            "privateSubnetIds": ["subnet-0123456789abcdef0"],
            "eksClusterName": "benchmark",
        },
        "scheduler": {"replicas": 1},
        "apiServer": {"replicas": 1, "workers": API_WORKERS},
        "dagProcessor": {"replicas": 1, "resources": _sized("1", "2Gi")},
        "pgbouncer": {"enabled": False},
        "celery": {"workers": {"keda": False, "resources": _sized("2", "16Gi")}},
        "workload": {
            "peakRunningTasks": 50,
            "maxActiveRunsPerDag": 4,
            "maxActiveTasksPerDag": 50,
            "taskResources": _sized("40m", "128Mi"),
        },
        "database": {"maxConnections": PG_MAX_CONNECTIONS},
    }
    return validated_stack_config("throughput-benchmark", {f"{PROJECT}:{key}": value for key, value in values.items()})


def _sized(cpu: str, memory: str) -> dict[str, Any]:
    return {"requests": {"cpu": cpu, "memory": memory}, "limits": {"cpu": cpu, "memory": memory}}


def kit_settings() -> dict[str, dict[str, Any]]:
    cfg = declared_workload()
    return dict(tuning_airflow_options(derive_tuning(cfg), cfg))


def run_configuration(
    label: str,
    settings: Mapping[str, Mapping[str, Any]],
    *,
    workdir: Path,
    store_cpu_seconds: Callable[[], float],
    database: Postgres,
    broker_url: str,
    tasks: int,
    sleep: int,
    timeout: float,
) -> dict[str, float]:
    name = f"airflow_{label}".replace("-", "_")
    database.create_database(name)
    home = AirflowHome.create(
        workdir / label,
        {
            **settings,
            "core": {**settings.get("core", {}), "executor": "CeleryExecutor", "load_examples": False},
            "logging": {"logging_level": "WARNING"},
        },
    )
    (home.dags / f"{DAG_ID}.py").write_text(DAG_SOURCE.format(dag_id=DAG_ID, tasks=tasks, sleep=sleep))
    env = {
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": database.url(name),
        "AIRFLOW__CELERY__BROKER_URL": broker_url,
        "AIRFLOW__CELERY__RESULT_BACKEND": f"db+{database.url(name, 'postgresql')}",
        "AIRFLOW__API__WORKERS": str(API_WORKERS),
        "AIRFLOW__API__SECRET_KEY": secrets.token_hex(16),
        "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_hex(32),
    }
    with AirflowProcesses.for_home(home, **env) as airflow:
        airflow.migrate()
        airflow.start_components("api-server", "scheduler", "dag-processor")
        airflow.start("celery-worker", "celery", "worker", "--skip-serve-logs")
        airflow.wait_for_api_server()
        airflow.group.wait_for(
            f"the parsed DAG {DAG_ID}",
            lambda: database.query(name, "SELECT 1 FROM serialized_dag WHERE dag_id = %s", DAG_ID),
            STARTUP_TIMEOUT_SECONDS,
        )
        # Airflow's processes plus PostgreSQL's and Redis's work for them.
        idle_cpu = airflow.group.cpu_seconds() + store_cpu_seconds()
        triggered = airflow.airflow("dags", "trigger", DAG_ID)
        if triggered.returncode != 0:
            raise RuntimeError(f"airflow dags trigger failed:\n{triggered.stderr[-3000:]}")
        finished = "SELECT state FROM dag_run WHERE dag_id = %s AND state IN ('success', 'failed')"
        states = airflow.group.wait_for(f"the {label} run", lambda: database.query(name, finished, DAG_ID), timeout)
        if states[0][0] != "success":
            raise RuntimeError(f"the {label} run ended {states[0][0]}; see the task logs under {home.path / 'logs'}")
        busy_cpu = airflow.group.cpu_seconds() + store_cpu_seconds() - idle_cpu
    return _figures(database, name) | {"cpuSecondsPerTask": busy_cpu / tasks}


def _figures(database: Postgres, name: str) -> dict[str, float]:
    """Wall time from the run being queued to its end, and the most tasks that ran at once."""
    ((queued, ended),) = database.query(name, "SELECT queued_at, end_date FROM dag_run WHERE dag_id = %s", DAG_ID)
    spans = database.query(name, "SELECT start_date, end_date FROM task_instance WHERE dag_id = %s", DAG_ID)
    events = sorted([(start, 1) for start, _ in spans] + [(end, -1) for _, end in spans])
    running = peak = 0
    for _, change in events:
        running += change
        peak = max(peak, running)
    return {"seconds": (ended - queued).total_seconds(), "peakConcurrency": peak}


BROKERS = ("redis", "rabbitmq")


@contextlib.contextmanager
def broker_server(kind: str, workdir: Path) -> Iterator[tuple[Callable[[int], str], ProcessGroup]]:
    """The broker's URL for the n-th configuration, and its processes (for their CPU time)."""
    if kind == "redis":
        with redis(workdir / "redis") as server:
            yield server.url, server.group  # a Redis database per configuration
    else:
        with rabbitmq(workdir / "rabbitmq") as node:
            yield lambda _number: node.url(), node.group  # configurations run one after the other


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tasks", type=int, default=100, help="tasks in the DAG (default 100)")
    parser.add_argument("--sleep", type=int, default=30, help="seconds each task waits (default 30)")
    parser.add_argument("--timeout", type=float, default=420, help="most seconds one DAG run may take (default 420)")
    parser.add_argument("--broker", choices=(*BROKERS, "both"), default="redis", help="Celery broker (default redis)")
    parser.add_argument("--keep", action="store_true", help="keep the working folder (logs) afterwards")
    args = parser.parse_args()

    configurations: dict[str, dict[str, dict[str, Any]]] = {"stock": {}, "kit": kit_settings()}
    brokers = BROKERS if args.broker == "both" else (args.broker,)
    print("kit settings:", ", ".join(f"[{s}] {k}={v}" for s, o in configurations["kit"].items() for k, v in o.items()))
    workdir = Path(tempfile.mkdtemp(prefix="airflow-throughput-"))
    results: dict[tuple[str, str], dict[str, float]] = {}
    try:
        with postgres(workdir / "postgres", PG_MAX_CONNECTIONS) as database:
            for kind in brokers:
                with broker_server(kind, workdir) as (broker_url, broker_group):

                    def store_cpu_seconds(group: ProcessGroup = broker_group) -> float:
                        return database.group.cpu_seconds() + group.cpu_seconds()

                    for number, (label, settings) in enumerate(configurations.items()):
                        started = time.monotonic()
                        results[kind, label] = figures = run_configuration(
                            f"{kind}-{label}",
                            settings,
                            workdir=workdir,
                            store_cpu_seconds=store_cpu_seconds,
                            database=database,
                            broker_url=broker_url(number),
                            tasks=args.tasks,
                            sleep=args.sleep,
                            timeout=args.timeout,
                        )
                        print(
                            f"{kind:>8} {label:>5}: {args.tasks} tasks × {args.sleep}s in {figures['seconds']:.1f}s "
                            f"(at most {figures['peakConcurrency']:.0f} at once, "
                            f"{figures['cpuSecondsPerTask']:.2f} CPU-s per task; "
                            f"{time.monotonic() - started:.0f}s with start-up)",
                            flush=True,
                        )
    finally:
        if args.keep:
            print(f"logs kept in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    print(summary(results, brokers))


def summary(results: dict[tuple[str, str], dict[str, float]], brokers: tuple[str, ...]) -> str:
    """The figures of every broker side by side, and the stock/kit ratio each reaches."""
    rows = [f"{'':>28}" + "".join(f"{kind:>12}" for kind in brokers)]
    for label in ("stock", "kit"):
        for figure, name in (
            ("seconds", "wall seconds"),
            ("peakConcurrency", "most at once"),
            ("cpuSecondsPerTask", "CPU-s per task"),
        ):
            cells = "".join(f"{results[kind, label][figure]:>12.2f}" for kind in brokers)
            rows.append(f"{label + ' ' + name:>28}{cells}")
    ratios = {kind: results[kind, "stock"]["seconds"] / results[kind, "kit"]["seconds"] for kind in brokers}
    rows.append(f"{'ratio stock/kit':>28}" + "".join(f"{ratio:>12.2f}" for ratio in ratios.values()))
    verdicts = ", ".join(f"{kind} {'meets' if ratio >= 2 else 'misses'}" for kind, ratio in ratios.items())
    rows.append(f"the 2× target: {verdicts}")
    return "\n".join(rows)


if __name__ == "__main__":
    main()
