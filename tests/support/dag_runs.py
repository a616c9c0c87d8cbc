"""One DAG run through real Airflow with the kit's generated config, its components on 127.0.0.1.

The metadata database is a private PostgreSQL; the caller names the executor's own parts (a
Celery broker and a worker, or nothing for the LocalExecutor) through ``env`` and ``components``.
Task logs stay local (the AWS tiers ship them to S3, which is not what these runs prove).
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from components.config.model import StackConfig

from .airflow import AirflowHome, AirflowProcesses, effective_airflow_config
from .servers import Postgres

STARTUP_TIMEOUT_SECONDS = 240


@dataclass(frozen=True)
class DagRun:
    state: str
    tasks: dict[str, tuple[str, str]]  # task_id (with [map index] when mapped) → (state, hostname)
    logs: Path  # the processes' logs


def run_dag(
    cfg: StackConfig,
    *,
    workdir: Path,
    database: Postgres,
    dag_id: str,
    dag_source: str,
    env: Mapping[str, str],
    components: Sequence[tuple[str, Sequence[str]]],
    timeout: float = 300,
) -> DagRun:
    """Trigger ``dag_id`` once under ``cfg``'s Airflow config and wait for the run to end.

    ``components``: (name, airflow arguments) of the long-running processes besides the
    api-server (``("scheduler", ["scheduler"])``, ``("worker", ["celery", "worker"])``...).
    """
    name = f"airflow_{dag_id}"
    database.create_database(name)
    config: dict[str, Any] = {section: dict(options) for section, options in effective_airflow_config(cfg).items()}
    config.setdefault("logging", {})["remote_logging"] = False
    home = AirflowHome.create(workdir / "home", config)
    (home.dags / f"{dag_id}.py").write_text(dag_source)
    with AirflowProcesses.for_home(
        home,
        AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION="False",
        AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=database.url(name),
        AIRFLOW__API__SECRET_KEY=secrets.token_hex(16),
        AIRFLOW__API_AUTH__JWT_SECRET=secrets.token_hex(32),
        **{key: value.replace("{database}", name) for key, value in env.items()},
    ) as airflow:
        airflow.migrate()
        airflow.start_components("api-server", "dag-processor")
        for process, args in components:
            airflow.start(process, *args)
        airflow.wait_for_api_server()
        airflow.group.wait_for(
            f"the parsed DAG {dag_id}",
            lambda: database.query(name, "SELECT 1 FROM serialized_dag WHERE dag_id = %s", dag_id),
            STARTUP_TIMEOUT_SECONDS,
        )
        triggered = airflow.airflow("dags", "trigger", dag_id)
        assert triggered.returncode == 0, triggered.stderr[-3000:]
        finished = "SELECT state FROM dag_run WHERE dag_id = %s AND state IN ('success', 'failed')"
        ((state,),) = airflow.group.wait_for(
            f"the run of {dag_id}", lambda: database.query(name, finished, dag_id), timeout
        )
        rows = database.query(
            name, "SELECT task_id, map_index, state, hostname FROM task_instance WHERE dag_id = %s", dag_id
        )
    tasks = {f"{task}[{index}]" if index >= 0 else task: (task_state, host) for task, index, task_state, host in rows}
    return DagRun(state, tasks, airflow.group.logs)
