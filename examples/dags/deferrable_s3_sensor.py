"""A deferrable ``S3KeySensor``: waits for a key without holding a worker slot.

The platform sets ``[operators] default_deferrable = true`` in staging and prod
(``triggerer.defaultDeferrable``), so the sensor defers by default: it starts on a worker, hands
the wait to the triggerer as an ``S3KeyTrigger`` and frees its slot; the triggerer resumes it on a
worker when the key exists. Pass ``deferrable=False`` to poke from a worker instead. The bucket is
the Airflow Variable ``landing_bucket`` and the key a run parameter, both read when the task runs
(templated), never at parse time. ``aws_irsa`` is the kit's keyless AWS connection (IRSA);
the triggerer's role needs read access to the bucket.
"""

from __future__ import annotations

from datetime import timedelta

import pendulum
from airflow.providers.amazon.aws.sensors.s3 import S3KeySensor
from airflow.sdk import Param, dag, task


@dag(
    dag_id="example_deferrable_s3_sensor",
    schedule=None,
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    params={"key": Param("orders/ready.json", type="string", description="The key to wait for")},
    tags=["example", "deferrable"],
)
def deferrable_s3_sensor():
    wait = S3KeySensor(
        task_id="wait_for_key",
        aws_conn_id="aws_irsa",
        bucket_name="{{ var.value.landing_bucket }}",
        bucket_key="{{ params.key }}",
        poke_interval=5,  # how often the trigger looks, on the triggerer
        timeout=timedelta(hours=6).total_seconds(),
    )

    @task
    def process(ti=None) -> str:
        return f"processing {ti.xcom_pull(task_ids='wait_for_key') or 'the new key'}"

    wait >> process()


deferrable_s3_sensor()
