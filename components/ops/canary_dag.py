"""The airflow-ha canary: the DAG `airflow-ha verify` triggers to prove the platform end to end.

Copy this file into the stack's DAGs (docs/runbooks/new-environment.md). One run exercises what the
platform provides, and fails if any of it is broken:

- a task on each executor the stack runs (``[core] executor``, one task per entry), each logging a
  marker line that `verify` reads back through the api-server (remote logs, once the task is done);
- an XCom from every executor's task to a final check;
- a deferred wait, which only the triggerer can finish;
- a variable read through the stack's secrets backend (``airflow_ha_canary``), of which only the
  length leaves the task.

It imports nothing from the kit: it runs in the stack's own Airflow image.
"""

from __future__ import annotations

import socket
from datetime import timedelta

from airflow.configuration import conf
from airflow.providers.standard.sensors.time_delta import WaitSensor
from airflow.sdk import Variable, dag, task

CANARY_DAG_ID = "airflow_ha_canary"
CANARY_VARIABLE = "airflow_ha_canary"
CANARY_LOG_MARKER = "airflow-ha canary: ran on"
DEFERRED_WAIT = timedelta(seconds=5)
EXECUTORS = [name.strip() for name in conf.get("core", "executor").split(",") if name.strip()]


def _task_id(executor: str) -> str:
    return "on_" + executor.rsplit(".", 1)[-1].removesuffix("Executor").lower()


@dag(
    dag_id=CANARY_DAG_ID,
    schedule=None,
    catchup=False,
    max_active_runs=1,
    tags=["airflow-ha"],
    default_args={"retries": 0},
    doc_md=__doc__,
)
def airflow_ha_canary() -> None:
    @task
    def read_secret() -> int:
        return len(Variable.get(CANARY_VARIABLE))

    def on_executor(executor: str):  # type: ignore[no-untyped-def]
        @task(task_id=_task_id(executor), executor=executor)
        def ran_on() -> dict[str, str]:
            host = socket.gethostname()
            print(f"{CANARY_LOG_MARKER} {executor} at {host}")
            return {"executor": executor, "host": host}

        return ran_on()

    @task
    def check(ran: list[dict[str, str]], secret_length: int) -> str:
        seen = sorted(entry["executor"] for entry in ran)
        if seen != sorted(EXECUTORS):
            raise RuntimeError(f"XComs from {seen}, expected one from each of {EXECUTORS}")
        if secret_length <= 0:
            raise RuntimeError(f"the variable {CANARY_VARIABLE} is empty")
        return "ok"

    deferred = WaitSensor(task_id="deferred_wait", time_to_wait=DEFERRED_WAIT, deferrable=True)
    secret = read_secret()
    results = [on_executor(executor) for executor in EXECUTORS]
    deferred >> results
    check(results, secret)


airflow_ha_canary()
