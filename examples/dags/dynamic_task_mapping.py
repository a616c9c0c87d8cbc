"""Dynamic task mapping: one mapped task instance per file, decided at run time.

``list_files`` returns the work; ``process.expand(...)`` creates one task instance per item (up to
``[core] max_map_length``), ``partial`` fixes the arguments they share, and ``summarise`` receives
every mapped result as one lazy sequence. ``max_active_tis_per_dagrun`` caps how many run at once.
"""

from __future__ import annotations

import pendulum
from airflow.sdk import dag, task


@dag(
    dag_id="example_dynamic_task_mapping",
    schedule=None,
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    tags=["example", "mapping"],
)
def dynamic_task_mapping():
    @task
    def list_files() -> list[str]:
        return [f"orders/part-{number:03d}.csv" for number in range(5)]

    @task(max_active_tis_per_dagrun=2)
    def process(path: str, bucket: str) -> int:
        return len(f"s3://{bucket}/{path}")

    @task
    def summarise(sizes) -> int:
        return sum(sizes)

    summarise(process.partial(bucket="example-landing").expand(path=list_files()))


dynamic_task_mapping()
