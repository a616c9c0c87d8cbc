"""Real Celery 5.6.3 and real Airflow 3.2.2 with a RabbitMQ broker run a DAG to success.

The stack is a `broker.type: rabbitmq` stack; Airflow runs with the config the kit generates
for it, and the broker URL the kit writes into its Secret points at a local RabbitMQ
(Debian's rabbitmq-server on 127.0.0.1, plain AMQP: Amazon MQ's TLS is not what this proves).
"""

from __future__ import annotations

import textwrap

import pytest

from tests.support.dag_runs import run_dag
from tests.support.servers import postgres, rabbitmq
from tests.support.stacks import stack

pytestmark = pytest.mark.contract

DAG_ID = "contract_rabbitmq"
DAG = textwrap.dedent(
    f"""
    import pendulum
    from airflow.sdk import dag, task

    @dag(dag_id="{DAG_ID}", schedule=None, start_date=pendulum.datetime(2026, 1, 1), catchup=False)
    def pipeline():
        @task
        def extract():
            return 21

        @task
        def double(value):
            assert value == 21
            return value * 2

        double(extract())

    pipeline()
    """
)


@pytest.fixture(scope="module")
def rabbitmq_run(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("rabbitmq")
    cfg = stack("dev", executor="CeleryExecutor", broker={"type": "rabbitmq"}, secretsBackend={"type": "none"})
    with postgres(workdir / "postgres") as database, rabbitmq(workdir) as broker:
        run = run_dag(
            cfg,
            workdir=workdir,
            database=database,
            dag_id=DAG_ID,
            dag_source=DAG,
            env={
                "AIRFLOW__CELERY__BROKER_URL": broker.url(),
                "AIRFLOW__CELERY__RESULT_BACKEND": f"db+{database.url('{database}', 'postgresql')}",
            },
            components=[("scheduler", ["scheduler"]), ("worker", ["celery", "worker", "--skip-serve-logs"])],
        )
        yield cfg, run, broker


def test_the_stack_is_a_celery_stack_on_rabbitmq(rabbitmq_run):
    cfg, _, _ = rabbitmq_run
    assert cfg.uses_rabbitmq
    assert cfg.executor == "CeleryExecutor"


def test_the_dag_runs_to_success_through_the_broker(rabbitmq_run):
    _, run, broker = rabbitmq_run
    worker_log = (run.logs / "worker.log").read_text(errors="replace")
    assert run.state == "success", worker_log[-4000:]
    assert {task: state for task, (state, _) in run.tasks.items()} == {"extract": "success", "double": "success"}
    # The worker consumed from this RabbitMQ, not from some default broker.
    assert f"amqp://guest:**@127.0.0.1:{broker.port}//" in worker_log
