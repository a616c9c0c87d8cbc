"""XCom push and pull, small and large.

``small`` returns a few bytes: they stay in the metadata database. ``large`` returns about 2 MiB,
above ``xcom.objectStorage.thresholdBytes`` (1 MiB by default): with object storage on (staging
and prod), Airflow's ``XComObjectStorageBackend`` writes the value to S3 under
``xcom.objectStorage.prefix`` and the database row holds only its path. Pulling works the same
either way: ``check`` receives both values whole. Values are JSON-serialisable (no pickling).
"""

from __future__ import annotations

import pendulum
from airflow.sdk import dag, task

LARGE_BYTES = 2 * 1024 * 1024


@dag(
    dag_id="example_xcom_passing",
    schedule=None,
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    tags=["example", "xcom"],
)
def xcom_passing():
    @task
    def small() -> dict[str, int]:
        return {"rows": 42}

    @task
    def large() -> list[str]:
        # 2 MiB of rows: too big for the database, stored in S3 instead.
        return ["x" * 1023 for _ in range(LARGE_BYTES // 1024)]

    @task
    def push_explicitly(ti=None) -> None:
        ti.xcom_push(key="batch_id", value="2026-01-01T00")

    @task
    def check(summary: dict[str, int], rows: list[str], ti=None) -> int:
        batch_id = ti.xcom_pull(task_ids="push_explicitly", key="batch_id")
        if summary != {"rows": 42} or len(rows) != LARGE_BYTES // 1024 or batch_id != "2026-01-01T00":
            raise ValueError(f"unexpected XComs: {summary}, {len(rows)} rows, batch {batch_id}")
        return len(rows)

    pushed = push_explicitly()
    checked = check(small(), large())
    pushed >> checked


xcom_passing()
