"""What a Celery broker outage (a Redis failover) costs a fan-out DAG run on the kit's prod config.

Real Airflow (the version the stacks deploy) on the CeleryExecutor, configured exactly as the
prod stack configures it (``tests/support/celery_deployment.py``): PostgreSQL, a Redis broker that
keeps its data across a restart (as the replica a Multi-AZ failover promotes has it), moto_server
standing in for Secrets Manager and S3, an api-server, a scheduler, a dag-processor and one Celery
worker, all on 127.0.0.1 and stopped by PID at the end. When the first task of the run is
running (the rest are being queued), Redis is stopped for ``--outage`` seconds, then started again.

It prints the outage length, the tasks, how many succeeded, how many tries failed on the way (the
prod tier's default retries would hide a lost publish), and the time to recover: from the broker
being back to the first task that starts after it.

    .venv/bin/python -m benchmarks.broker_outage [--tasks 24] [--outage 60] [--sleep 10]
"""

from __future__ import annotations

import argparse
import contextlib
import shutil
import tempfile
import textwrap
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from components.config.model import StackConfig
from tests.support.celery_deployment import celery_deployment
from tests.support.servers import moto_server
from tests.support.stacks import stack

DAG_ID = "fan_out"
RUN_TIMEOUT_SECONDS = 900

DAG_SOURCE = """
import time

import pendulum
from airflow.sdk import dag, task


@dag(dag_id="{dag_id}", schedule=None, start_date=pendulum.datetime(2026, 1, 1), catchup=False)
def fan_out():
    @task
    def wait(number: int) -> int:
        time.sleep({sleep})  # a warehouse query, an API call
        return number

    wait.expand(number=list(range({tasks})))


fan_out()
"""


@dataclass(frozen=True)
class OutageFigures:
    outage_seconds: float
    tasks: int
    succeeded: int
    failed_tries: int  # tries that failed and were retried (default retries can hide a lost publish)
    states: dict[str, int]
    recovery_seconds: float | None
    run_seconds: float

    def report(self) -> str:
        recovery = "never" if self.recovery_seconds is None else f"{self.recovery_seconds:.1f}s"
        return (
            f"broker outage {self.outage_seconds:.1f}s: {self.succeeded}/{self.tasks} tasks succeeded "
            f"(states {self.states}), {self.failed_tries} tries failed and were retried; "
            f"tasks started again {recovery} after the broker was back; "
            f"run took {self.run_seconds:.1f}s"
        )


def prod_stack() -> StackConfig:
    return stack("prod")


@contextlib.contextmanager
def aws_standin(workdir: Path, cfg: StackConfig) -> Iterator[dict[str, str]]:
    """moto_server as the region's Secrets Manager and S3 (with the logs bucket); yields the AWS env."""
    import boto3

    with moto_server(workdir) as endpoint:
        env = {
            "AWS_ENDPOINT_URL": endpoint,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": cfg.aws.region if cfg.aws else "eu-west-1",
        }
        s3 = boto3.client(
            "s3",
            endpoint_url=endpoint,
            region_name=env["AWS_DEFAULT_REGION"],
            aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
        )
        s3.create_bucket(
            Bucket=f"{cfg.stack}-airflow-logs",
            CreateBucketConfiguration={"LocationConstraint": env["AWS_DEFAULT_REGION"]},
        )
        yield env


def run_with_outage(workdir: Path, cfg: StackConfig, *, tasks: int, outage: float, sleep: int) -> OutageFigures:
    dags = {DAG_ID: textwrap.dedent(DAG_SOURCE).format(dag_id=DAG_ID, tasks=tasks, sleep=sleep)}
    with aws_standin(workdir / "aws", cfg) as aws_env, celery_deployment(workdir, cfg, dags, aws_env) as deployment:
        run_id = deployment.trigger(DAG_ID)
        deployment.airflow.group.wait_for(
            "the first running task",
            lambda: "running" in deployment.task_states(DAG_ID, run_id).values(),
            RUN_TIMEOUT_SECONDS,
            interval=0.2,
        )
        deployment.broker.stop()
        stopped = time.monotonic()
        time.sleep(outage)
        deployment.broker.start()
        back_at = datetime.now(UTC)
        outage_seconds = time.monotonic() - stopped
        deployment.wait_for_run(DAG_ID, run_id, RUN_TIMEOUT_SECONDS)
        states = list(deployment.task_states(DAG_ID, run_id).values())
        starts = deployment.query(
            "SELECT min(start_date) FROM task_instance WHERE dag_id = %s AND run_id = %s AND start_date > %s",
            DAG_ID,
            run_id,
            back_at,
        )
        ((failed_tries,),) = deployment.query(
            "SELECT count(*) FROM task_instance_history WHERE dag_id = %s AND run_id = %s", DAG_ID, run_id
        )
        ((queued_at, ended_at),) = deployment.query(
            "SELECT queued_at, end_date FROM dag_run WHERE dag_id = %s AND run_id = %s", DAG_ID, run_id
        )
    first_start = starts[0][0]
    return OutageFigures(
        outage_seconds=outage_seconds,
        tasks=len(states),
        succeeded=states.count("success"),
        failed_tries=failed_tries,
        states={str(state): states.count(state) for state in set(states)},
        recovery_seconds=None if first_start is None else (first_start - back_at).total_seconds(),
        run_seconds=(ended_at - queued_at).total_seconds(),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tasks", type=int, default=24, help="mapped tasks in the DAG (default 24)")
    parser.add_argument("--outage", type=float, default=60, help="seconds the broker is down (default 60)")
    parser.add_argument("--sleep", type=int, default=10, help="seconds each task waits (default 10)")
    parser.add_argument("--keep", action="store_true", help="keep the working folder (logs) afterwards")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="airflow-broker-outage-"))
    try:
        figures = run_with_outage(workdir, prod_stack(), tasks=args.tasks, outage=args.outage, sleep=args.sleep)
        print(figures.report())
    finally:
        if args.keep:
            print(f"logs kept in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
