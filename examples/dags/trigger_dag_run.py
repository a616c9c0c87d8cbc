"""``TriggerDagRunOperator`` that waits for the run it starts, deferred.

``example_trigger_parent`` starts ``example_trigger_child`` with a ``conf`` and waits for it to
finish (``wait_for_completion=True``). With ``deferrable=True`` the wait happens on the triggerer,
not in a worker slot (the platform's ``[operators] default_deferrable`` sets it by default in
staging and prod; it is explicit here because the wait is the point). ``allowed_states`` and
``failed_states`` decide how the parent task ends.
"""

from __future__ import annotations

import pendulum
from airflow.providers.standard.operators.trigger_dagrun import TriggerDagRunOperator
from airflow.sdk import dag, task

START = pendulum.datetime(2026, 1, 1, tz="UTC")


@dag(dag_id="example_trigger_child", schedule=None, start_date=START, catchup=False, tags=["example"])
def child():
    @task
    def work(dag_run=None) -> str:
        return f"child run for {dag_run.conf.get('batch', 'no batch')}"

    work()


@dag(dag_id="example_trigger_parent", schedule=None, start_date=START, catchup=False, tags=["example"])
def parent():
    TriggerDagRunOperator(
        task_id="run_child",
        trigger_dag_id="example_trigger_child",
        conf={"batch": "{{ run_id }}"},  # ds is undefined in runs without a logical date
        wait_for_completion=True,
        deferrable=True,
        poke_interval=5,
        allowed_states=["success"],
        failed_states=["failed"],
    )


child()
parent()
