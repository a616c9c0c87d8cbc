"""How long a Celery worker takes to drain: SIGTERM in the middle of a long task, until the worker exits.

Real Airflow (the version the stacks deploy) with the kit's config for a local stack with a
one-slot ``heavy`` queue: PostgreSQL and Redis on 127.0.0.1, an api-server, a scheduler, a
dag-processor and the heavy queue's worker, started as its chart worker set runs it
(``tests/support/celery_queues.py``). The DAG gives the worker a task of ``--task-seconds`` and a
second one that must wait. Once the long task has run for ``--signal-after`` seconds the worker
gets SIGTERM (its main process only, as dumb-init with ``DUMB_INIT_SETSID=0`` delivers it). The
script prints the drain time, the part of it the task still had to run, and the worker's own
overhead on top; then it starts a second worker and checks that the waiting task runs there.

    .venv/bin/python -m benchmarks.drain [--task-seconds 30] [--signal-after 10]
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from tests.support.celery_queues import drain_dag, queued_airflow, warm_shutdown
from tests.support.stacks import sized, stack

RUN_TIMEOUT_SECONDS = 300


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--task-seconds", type=int, default=30, help="length of the long task (default 30)")
    parser.add_argument("--signal-after", type=float, default=10, help="seconds into the task for SIGTERM (default 10)")
    args = parser.parse_args()

    heavy = {
        "name": "heavy",
        "peakRunningTasks": 2,
        "taskResources": sized("500m", "1Gi", "500m", "1Gi"),
        "workerResources": sized("1", "2Gi", "1", "2Gi"),  # one task per worker
    }
    cfg = stack("local", "drain", workload={"queues": [heavy], "longestTaskSeconds": args.task_seconds + 60})
    workdir = Path(tempfile.mkdtemp(prefix="airflow-drain-"))
    try:
        dags = {"drain": drain_dag(workdir / "long-task-started", args.task_seconds)}
        with queued_airflow(cfg, workdir, dags) as airflow:
            worker = airflow.start_worker("heavy")
            airflow.wait_for_worker("worker-heavy")
            airflow.wait_for_dag("drain")
            airflow.trigger("drain")
            [long_task] = airflow.airflow.group.wait_for(
                "the long task running",
                lambda: [task for task, (state, _, _) in airflow.task_states("drain").items() if state == "running"],
                RUN_TIMEOUT_SECONDS,
            )
            [(started,)] = airflow.query(
                "SELECT start_date FROM task_instance WHERE dag_id = 'drain' AND task_id = %s", long_task
            )
            time.sleep(max(0.0, args.signal_after - (datetime.now(UTC) - started).total_seconds()))
            signalled = datetime.now(UTC)
            drain_seconds = warm_shutdown(worker, timeout=args.task_seconds + 120)
            airflow.airflow.group.stop("worker-heavy")
            states = airflow.task_states("drain")
            [(ended, tries)] = airflow.query(
                "SELECT end_date, try_number FROM task_instance WHERE dag_id = 'drain' AND task_id = %s", long_task
            )
            remaining = (ended - signalled).total_seconds()
            print(
                f"task instance: try {tries}, start_date to end_date {(ended - started).total_seconds():.1f}s "
                "(the task process starts and loads the DAG after start_date)"
            )
            print(
                f"SIGTERM {(signalled - started).total_seconds():.1f}s after start_date, a {args.task_seconds}s task: "
                f"the worker exited after {drain_seconds:.1f}s (exit code {worker.returncode}); the task ended "
                f"{remaining:.1f}s after the signal, {states[long_task][0]}; the worker's own shutdown took "
                f"{drain_seconds - remaining:.1f}s more",
                flush=True,
            )
            waiting = next(state for task, (state, _, _) in states.items() if task != long_task)
            airflow.start_worker("heavy", name="worker-heavy-next")
            run = airflow.wait_for_run("drain", RUN_TIMEOUT_SECONDS)
            print(f"the task left waiting was {waiting} at exit; on the next worker the run ended {run}")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
