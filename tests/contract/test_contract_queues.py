"""Real Airflow 3.2.2 and Celery 5.6.3 with a worker per queue: routing by ``queue=``, and a graceful drain.

One local stack with a ``heavy`` queue; its workers get what the chart's worker sets give them
(see ``tests/support/celery_queues.py``). Two things are proven:

- each task runs on a worker of its queue: the task instance's host name is its worker's;
- a worker that gets SIGTERM in the middle of a 30-second task finishes that task, takes no
  other, and exits after it; the task it left queued runs on the next worker. Nothing is lost
  or failed. (``benchmarks/drain.py`` prints how long the drain takes.)
"""

from __future__ import annotations

import textwrap
from datetime import UTC, datetime

import pytest

from tests.support.celery_queues import QueuedAirflow, drain_dag, queued_airflow, warm_shutdown, worker_hostname
from tests.support.stacks import sized, stack

pytestmark = pytest.mark.contract

RUN_TIMEOUT_SECONDS = 300
LONG_TASK_SECONDS = 30
# One heavy task per worker: 1 CPU ÷ 500m = 2, but (2Gi - 512Mi) ÷ 1Gi = 1 by memory.
HEAVY = {
    "name": "heavy",
    "peakRunningTasks": 2,
    "taskResources": sized("500m", "1Gi", "500m", "1Gi"),
    "workerResources": sized("1", "2Gi", "1", "2Gi"),
}

ROUTED_DAG = textwrap.dedent(
    """
    import pendulum
    from airflow.sdk import dag, task

    @dag(dag_id="routed", schedule=None, start_date=pendulum.datetime(2026, 1, 1), catchup=False)
    def routed():
        @task
        def light():
            return "default"

        @task(queue="heavy")
        def heavy():
            return "heavy"

        light()
        heavy()

    routed()
    """
)


@pytest.fixture(scope="module")
def airflow(tmp_path_factory):
    cfg = stack("local", "queues", workload={"queues": [HEAVY], "longestTaskSeconds": 120})
    workdir = tmp_path_factory.mktemp("queues")
    dags = {"routed": ROUTED_DAG, "drain": drain_dag(workdir / "long-task-started", LONG_TASK_SECONDS)}
    with queued_airflow(cfg, workdir, dags) as running:
        yield running


def test_the_kit_gives_the_heavy_workers_their_own_concurrency(airflow: QueuedAirflow):
    assert airflow.worker_env("heavy", "any")["AIRFLOW__CELERY__WORKER_CONCURRENCY"] == "1"


def test_each_task_runs_on_a_worker_of_its_queue(airflow: QueuedAirflow):
    default_worker = airflow.start_worker("default")
    heavy_worker = airflow.start_worker("heavy")
    airflow.wait_for_worker(worker_hostname("default"))
    airflow.wait_for_worker(worker_hostname("heavy"))
    airflow.wait_for_dag("routed")
    airflow.trigger("routed")
    assert airflow.wait_for_run("routed", RUN_TIMEOUT_SECONDS) == "success"
    assert airflow.task_states("routed") == {
        "light": ("success", "default", "worker-default"),
        "heavy": ("success", "heavy", "worker-heavy"),
    }
    for worker in (default_worker, heavy_worker):
        assert worker.poll() is None


def test_sigterm_mid_task_drains_the_worker_and_loses_nothing(airflow: QueuedAirflow):
    heavy_worker = airflow.running_worker("worker-heavy")
    if heavy_worker is None:  # this test run alone
        heavy_worker = airflow.start_worker("heavy")
        airflow.wait_for_worker("worker-heavy")
    airflow.wait_for_dag("drain")
    airflow.trigger("drain")
    running = airflow.airflow.group.wait_for(
        "a drain task running on the heavy worker",
        lambda: [task for task, (state, _, _) in airflow.task_states("drain").items() if state == "running"],
        RUN_TIMEOUT_SECONDS,
    )
    [long_task] = running  # the worker has one slot
    [waiting_task] = {"first", "second"} - {long_task}
    assert airflow.task_states("drain")[waiting_task][0] == "queued"

    signalled_at = datetime.now(UTC)
    warm_shutdown(heavy_worker, timeout=LONG_TASK_SECONDS + 120)
    assert heavy_worker.returncode == 0, airflow.airflow.group.log("worker-heavy").read_text()[-3000:]
    airflow.airflow.group.stop("worker-heavy")  # exited: only forget it
    states = airflow.task_states("drain")
    # The running task finished, successfully, before the worker exited; the other was not taken.
    assert states[long_task] == ("success", "heavy", "worker-heavy")
    assert states[waiting_task][0] == "queued"
    [(started, ended)] = airflow.query(
        "SELECT start_date, end_date FROM task_instance WHERE dag_id = 'drain' AND task_id = %s", long_task
    )
    assert started < signalled_at < ended  # SIGTERM came mid-task, and the task still ran to its end
    assert (ended - started).total_seconds() >= LONG_TASK_SECONDS

    airflow.start_worker("heavy", name="worker-heavy-next")
    assert airflow.wait_for_run("drain", RUN_TIMEOUT_SECONDS) == "success"
    assert airflow.task_states("drain")[waiting_task] == ("success", "heavy", "worker-heavy-next")
