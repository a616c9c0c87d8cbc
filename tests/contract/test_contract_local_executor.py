"""Real Airflow 3.2.2 with the LocalExecutor and two schedulers runs a DAG to success.

The stack is a `local` tier stack with `executor: LocalExecutor` and two schedulers; Airflow runs
with the config the kit generates for it, on a private PostgreSQL, with no broker and no worker:
the schedulers run the tasks themselves.
"""

from __future__ import annotations

import textwrap

import pytest

from tests.support.dag_runs import run_dag
from tests.support.servers import postgres
from tests.support.stacks import sized, stack

pytestmark = pytest.mark.contract

DAG_ID = "contract_local_executor"
FAN_OUT = 4
DAG = textwrap.dedent(
    f"""
    import time

    import pendulum
    from airflow.sdk import dag, task

    @dag(dag_id="{DAG_ID}", schedule=None, start_date=pendulum.datetime(2026, 1, 1), catchup=False)
    def pipeline():
        @task
        def part(number):
            time.sleep(2)
            return number

        @task
        def total(parts):
            assert sorted(parts) == list(range({FAN_OUT}))
            return sum(parts)

        total(part.expand(number=list(range({FAN_OUT}))))

    pipeline()
    """
)


@pytest.fixture(scope="module")
def local_run(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("local-executor")
    cfg = stack(
        "local",
        executor="LocalExecutor",
        scheduler={"replicas": 2, "resources": sized("1", "2Gi")},
        workload={"peakRunningTasks": FAN_OUT, "maxActiveTasksPerDag": FAN_OUT},
    )
    with postgres(workdir / "postgres") as database:
        run = run_dag(
            cfg,
            workdir=workdir,
            database=database,
            dag_id=DAG_ID,
            dag_source=DAG,
            env={},
            components=[("scheduler-1", ["scheduler"]), ("scheduler-2", ["scheduler"])],
        )
        name = f"airflow_{DAG_ID}"
        schedulers = {job for (job,) in database.query(name, "SELECT id FROM job WHERE job_type = 'SchedulerJob'")}
        queued_by = {job for (job,) in database.query(name, "SELECT DISTINCT queued_by_job_id FROM task_instance")}
        yield cfg, run, schedulers, queued_by


def test_the_kit_config_is_the_local_executor_with_its_derived_parallelism(local_run):
    cfg, *_ = local_run
    from tests.support.airflow import effective_airflow_config

    core = effective_airflow_config(cfg)["core"]
    assert core["executor"] == "LocalExecutor"
    # 1 CPU / 2Gi schedulers hold 10 tasks of 100m / 256Mi by CPU, 6 by memory (2Gi less 512Mi).
    assert core["parallelism"] == 6


def test_two_schedulers_run_the_dag_to_success_without_workers(local_run):
    _, run, schedulers, queued_by = local_run
    scheduler_logs = "".join((run.logs / f"scheduler-{n}.log").read_text(errors="replace") for n in (1, 2))
    assert run.state == "success", scheduler_logs[-4000:]
    assert {state for state, _ in run.tasks.values()} == {"success"}
    assert set(run.tasks) == {*(f"part[{n}]" for n in range(FAN_OUT)), "total"}
    # Both schedulers ran throughout (run_dag fails when a process dies); the tasks were queued by them.
    assert len(schedulers) == 2
    assert queued_by <= schedulers
