"""Real Airflow with one Celery worker per queue, configured as the kit configures a stack with ``workload.queues``.

PostgreSQL and Redis run on 127.0.0.1; Airflow reads the kit's ``airflow.cfg`` for the stack
(concurrency, visibility timeout, acks-late, prefetch) and each worker gets what its chart worker
set gives it: ``-q <queue>`` and the set's own ``env`` (its concurrency). The kit records a pod's
IP as the task's host name; on one machine both workers share 127.0.0.1, so here each worker
reports its own name instead (``[core] hostname_callable``), and a task instance's ``hostname``
says which worker ran it. Used by the contract test and ``benchmarks/drain.py``.
"""

from __future__ import annotations

import contextlib
import secrets
import signal
import subprocess
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from components.config.model import StackConfig
from components.config.sections.workload import DEFAULT_QUEUE

from .airflow import CHART_VALUES, STARTUP_TIMEOUT_SECONDS, AirflowHome, AirflowProcesses, effective_airflow_config
from .chart import compose
from .servers import Postgres, postgres, redis

DATABASE = "airflow"
HOSTNAME_ENV = "KIT_TEST_WORKER_HOSTNAME"
HOSTNAME_MODULE = """
import os
import socket


def worker_hostname():
    return os.environ.get("{env}") or socket.getfqdn()
"""


DRAIN_DAG = """
import os
import time

import pendulum
from airflow.sdk import dag, task


@dag(dag_id="drain", schedule=None, start_date=pendulum.datetime(2026, 1, 1), catchup=False)
def drain():
    # Two tasks for a one-slot worker. Whichever starts first is the long one, still running when
    # SIGTERM comes; the other waits in the broker meanwhile.
    @task(queue="{queue}")
    def work():
        try:
            os.close(os.open("{marker}", os.O_CREAT | os.O_EXCL))
        except FileExistsError:
            return "the second task"
        time.sleep({seconds})
        return "the long task"

    work.override(task_id="first")()
    work.override(task_id="second")()


drain()
"""


def drain_dag(marker: Path, seconds: int, queue: str = "heavy") -> str:
    return DRAIN_DAG.format(marker=marker, seconds=seconds, queue=queue)


def worker_hostname(queue: str) -> str:
    return f"worker-{queue}"


@dataclass
class QueuedAirflow:
    cfg: StackConfig
    airflow: AirflowProcesses
    database: Postgres

    def query(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        return self.database.query(DATABASE, sql, *params)

    def worker_env(self, queue: str, hostname: str) -> dict[str, str]:
        """The environment the chart gives the worker set of ``queue``, and the pod's host name."""
        celery = compose(self.cfg)["workers"]["celery"]
        env = {HOSTNAME_ENV: hostname}
        for worker_set in celery.get("sets", []):
            if worker_set["queue"] == queue:
                env |= {item["name"]: item["value"] for item in worker_set.get("env", [])}
        return env

    def start_worker(self, queue: str, name: str | None = None) -> subprocess.Popen[bytes]:
        """``airflow celery worker -q <queue>``, as the chart's args for that worker set run it."""
        name = name or worker_hostname(queue)
        args = ["celery", "worker", "--skip-serve-logs", "--celery-hostname", f"{name}@%h"]
        if queue != DEFAULT_QUEUE:
            args += ["-q", queue]
        self.airflow.start(name, *args, **self.worker_env(queue, name))
        return self.airflow.group.process(name)

    def running_worker(self, name: str) -> subprocess.Popen[bytes] | None:
        return next((process for running, process in self.airflow.group.running if running == name), None)

    def wait_for_worker(self, name: str) -> None:
        log = self.airflow.group.log(name)
        self.airflow.group.wait_for(f"Celery worker {name}", lambda: b" ready." in log.read_bytes(), 180)

    def wait_for_dag(self, dag_id: str) -> None:
        self.airflow.group.wait_for(
            f"the parsed DAG {dag_id}",
            lambda: self.query("SELECT 1 FROM serialized_dag WHERE dag_id = %s", dag_id),
            STARTUP_TIMEOUT_SECONDS,
        )

    def trigger(self, dag_id: str) -> None:
        triggered = self.airflow.airflow("dags", "trigger", dag_id)
        if triggered.returncode != 0:
            raise RuntimeError(f"airflow dags trigger failed:\n{triggered.stderr[-3000:]}")

    def task_states(self, dag_id: str) -> dict[str, tuple[str | None, str | None, str | None]]:
        """task_id → (state, queue, hostname)."""
        rows = self.query("SELECT task_id, state, queue, hostname FROM task_instance WHERE dag_id = %s", dag_id)
        return {task: (state, queue, host or None) for task, state, queue, host in rows}

    def wait_for_run(self, dag_id: str, timeout: float) -> str:
        finished = "SELECT state FROM dag_run WHERE dag_id = %s AND state IN ('success', 'failed')"
        [(state,)] = self.airflow.group.wait_for(
            f"the run of {dag_id}", lambda: self.query(finished, dag_id), timeout, interval=1.0
        )
        return str(state)


@contextlib.contextmanager
def queued_airflow(cfg: StackConfig, workdir: Path, dags: Mapping[str, str]) -> Iterator[QueuedAirflow]:
    """Airflow's api-server, scheduler and dag-processor for ``cfg`` with ``dags`` (DAG id → source)
    in its DAG folder (the dag-processor looks for new files only every few minutes); the caller
    starts the workers."""
    with postgres(workdir / "postgres") as database, redis(workdir / "redis") as broker:
        database.create_database(DATABASE)
        config = effective_airflow_config(cfg)
        config["logging"] = {**config.get("logging", {}), "logging_level": "INFO"}
        home = AirflowHome.create(workdir / "home", config)
        for dag_id, source in dags.items():
            (home.dags / f"{dag_id}.py").write_text(source)
        (home.path / "kit_test_hostname.py").write_text(HOSTNAME_MODULE.format(env=HOSTNAME_ENV))
        env = {
            "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
            "AIRFLOW__CORE__HOSTNAME_CALLABLE": "kit_test_hostname.worker_hostname",
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": database.url(DATABASE),
            "AIRFLOW__CELERY__BROKER_URL": broker.url(),
            "AIRFLOW__CELERY__RESULT_BACKEND": f"db+{database.url(DATABASE, 'postgresql')}",
            "AIRFLOW__API__SECRET_KEY": secrets.token_hex(16),
            "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_hex(32),
            # The chart mounts airflow_local_settings.py; the test adds the workers' host-name module.
            "PYTHONPATH": f"{CHART_VALUES}:{home.path}",
        }
        with AirflowProcesses.for_home(home, **env) as airflow:
            airflow.migrate()
            airflow.start_components("api-server", "scheduler", "dag-processor")
            airflow.wait_for_api_server()
            yield QueuedAirflow(cfg, airflow, database)


def warm_shutdown(process: subprocess.Popen[bytes], timeout: float) -> float:
    """SIGTERM to the worker's main process only (the chart sets ``DUMB_INIT_SETSID=0``, so
    dumb-init signals the worker and not its task processes); seconds until it exited."""
    started = time.monotonic()
    process.send_signal(signal.SIGTERM)
    process.wait(timeout)
    return time.monotonic() - started
