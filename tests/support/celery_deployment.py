"""A whole CeleryExecutor deployment of real Airflow on 127.0.0.1, configured by the kit, for fault injection.

PostgreSQL (metadata and Celery results), a Redis broker that keeps its data across a restart
(as the replica an ElastiCache failover promotes has it), an api-server (the Execution API), a
scheduler, a dag-processor, Celery workers and the worker's log server (and on request a triggerer
and its log server). Airflow reads the kit's
``airflow.cfg`` and env for the stack; only what a pod gets from the cluster is set here
(database and broker URLs, the shared API secrets, ports on loopback).

Airflow's own log servers bind every interface, so workers and the triggerer start with
``--skip-serve-logs`` and the same log server app (``airflow.utils.serve_logs``) is started
on 127.0.0.1 instead: the address the kit's ``hostname_callable`` records on this machine.
"""

from __future__ import annotations

import contextlib
import secrets
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from components.config.model import StackConfig

from .airflow import AirflowHome, AirflowProcesses, effective_airflow_config, kit_environment
from .processes import free_port, port_open
from .servers import STARTUP_TIMEOUT_SECONDS, Postgres, Redis, postgres, redis

DATABASE = "airflow"
API_WORKERS = 1


@dataclass
class CeleryDeployment:
    airflow: AirflowProcesses
    database: Postgres
    broker: Redis
    log_server_port: int
    trigger_log_server_port: int

    @property
    def home(self) -> AirflowHome:
        return self.airflow.home

    def query(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        return self.database.query(DATABASE, sql, *params)

    def start_worker(self, name: str) -> None:
        self.airflow.start(name, "celery", "worker", "--skip-serve-logs", "--celery-hostname", f"{name}@%h")

    def trigger(self, dag_id: str) -> str:
        run_id = f"manual__{dag_id}__{secrets.token_hex(4)}"
        done = self.airflow.airflow("dags", "trigger", dag_id, "--run-id", run_id)
        if done.returncode != 0:
            raise AssertionError(f"airflow dags trigger failed:\n{done.stderr[-3000:]}")
        return run_id

    def task_states(self, dag_id: str, run_id: str) -> dict[str, str | None]:
        rows = self.query(
            "SELECT task_id, map_index, state FROM task_instance WHERE dag_id = %s AND run_id = %s", dag_id, run_id
        )
        return {task_id if index < 0 else f"{task_id}[{index}]": state for task_id, index, state in rows}

    def run_state(self, dag_id: str, run_id: str) -> str | None:
        rows = self.query("SELECT state FROM dag_run WHERE dag_id = %s AND run_id = %s", dag_id, run_id)
        return rows[0][0] if rows else None

    def wait_for_run(self, dag_id: str, run_id: str, timeout: float) -> str:
        """The run's final state (``success`` or ``failed``)."""
        return str(
            self.airflow.group.wait_for(
                f"the run {run_id}",
                lambda: (state := self.run_state(dag_id, run_id)) in ("success", "failed") and state,
                timeout,
                interval=1.0,
            )
        )

    def ended_at(self, dag_id: str, run_id: str) -> datetime:
        ((ended,),) = self.query("SELECT end_date FROM dag_run WHERE dag_id = %s AND run_id = %s", dag_id, run_id)
        return ended  # type: ignore[no-any-return]


@contextlib.contextmanager
def celery_deployment(
    workdir: Path,
    cfg: StackConfig,
    dags: Mapping[str, str],
    env: Mapping[str, str] | None = None,
    triggerer: bool = False,
) -> Iterator[CeleryDeployment]:
    """The deployment for ``cfg`` with ``dags`` (DAG id → source of ``<DAG id>.py``) parsed, and one
    worker, ``worker-1``; with ``triggerer``, a triggerer and its log server too."""
    with postgres(workdir / "postgres") as database, redis(workdir / "broker", durable=True) as broker:
        database.create_database(DATABASE)
        home = AirflowHome.create(workdir / "home", effective_airflow_config(cfg), kit_environment(cfg))
        for dag_id, source in dags.items():
            (home.dags / f"{dag_id}.py").write_text(source)
        log_server_port, trigger_log_server_port = free_port(), free_port()
        cluster_env = {
            "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": database.url(DATABASE),
            "AIRFLOW__CELERY__BROKER_URL": broker.url(),
            "AIRFLOW__CELERY__RESULT_BACKEND": f"db+{database.url(DATABASE, 'postgresql')}",
            "AIRFLOW__API__WORKERS": str(API_WORKERS),
            "AIRFLOW__API__SECRET_KEY": secrets.token_hex(16),
            "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_hex(32),
            "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(log_server_port),
            "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(trigger_log_server_port),
            # Airflow 3.2.2's log reader asks for this name (default 8794), the triggerer serves on the one above.
            "AIRFLOW__LOGGING__TRIGGERER_LOG_SERVER_PORT": str(trigger_log_server_port),
            **(env or {}),
        }
        with AirflowProcesses.for_home(home, **cluster_env) as airflow:
            airflow.migrate()
            airflow.start_components("api-server", "scheduler", "dag-processor")
            deployment = CeleryDeployment(airflow, database, broker, log_server_port, trigger_log_server_port)
            _start_log_server(airflow, "log-server", log_server_port)
            deployment.start_worker("worker-1")
            if triggerer:
                _start_log_server(airflow, "trigger-log-server", trigger_log_server_port)
                airflow.start("triggerer", "triggerer", "--skip-serve-logs")
            airflow.wait_for_api_server()
            expected = set(dags)
            airflow.group.wait_for(
                f"the parsed DAGs {sorted(expected)}",
                lambda: expected <= {row[0] for row in deployment.query("SELECT dag_id FROM serialized_dag")},
                STARTUP_TIMEOUT_SECONDS,
            )
            yield deployment


def _start_log_server(airflow: AirflowProcesses, name: str, port: int) -> None:
    """Airflow's log server app (what ``serve_logs`` runs), on 127.0.0.1 only."""
    serve_logs = (
        "import uvicorn; uvicorn.run('airflow.utils.serve_logs.log_server:get_app', factory=True, "
        f"host='127.0.0.1', port={port}, log_config=None)"
    )
    airflow.group.start(name, [sys.executable, "-c", serve_logs], airflow.env, cwd=airflow.home.path)
    airflow.group.wait_for(f"the {name}", lambda: port_open(port), STARTUP_TIMEOUT_SECONDS)
