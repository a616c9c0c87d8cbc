"""The metadata cleanup, run exactly as the kit's databaseCleanup CronJob runs it, against a
PostgreSQL that real Airflow 3.2.2 filled: it removes exactly the runs older than the retention,
and their rows land in (moto) S3 as Parquet that reads back to the same rows.

Two runs of a real DAG (``airflow dags test``); the older one is then aged by 200 days in the
database (its run, task instances and XComs), as if it had run then.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import textwrap
import uuid
from datetime import UTC, datetime

import pytest

from tests.support.airflow import AirflowHome, effective_airflow_config
from tests.support.chart import compose
from tests.support.servers import moto_server, postgres
from tests.support.stacks import stack

pytestmark = pytest.mark.contract

DAG_ID = "contract_retention"
RETENTION_DAYS = 30
AGE = "200 days"
DAG = textwrap.dedent(
    f"""
    import pendulum
    from airflow.sdk import dag, task

    @dag(dag_id="{DAG_ID}", schedule=None, start_date=pendulum.datetime(2026, 1, 1), catchup=False)
    def pipeline():
        @task
        def extract():
            return {{"rows": 3}}

        @task
        def load(summary):
            return summary["rows"]

        load(extract())

    pipeline()
    """
)


def rows(database, sql: str, *params) -> list[dict]:
    with contextlib.closing(database.connect("airflow")) as connection, connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [column.name for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


@pytest.fixture(scope="module")
def cleaned(tmp_path_factory):
    import boto3

    workdir = tmp_path_factory.mktemp("retention")
    cfg = stack(
        "dev",
        executor="CeleryExecutor",
        secretsBackend={"type": "none"},
        metadataRetention={"retentionDays": RETENTION_DAYS},
    )
    values = compose(cfg)["databaseCleanup"]
    with postgres(workdir / "postgres") as database, moto_server(workdir) as endpoint:
        database.create_database("airflow")
        config = {section: dict(options) for section, options in effective_airflow_config(cfg).items()}
        config["logging"]["remote_logging"] = False
        aws = {"AWS_ENDPOINT_URL": endpoint, "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test"}
        home = AirflowHome.create(
            workdir / "home", config, {"AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": database.url("airflow"), **aws}
        )
        (home.dags / f"{DAG_ID}.py").write_text(DAG)
        home.checked_airflow("db", "migrate")
        for logical_date in ("2026-01-05", "2026-11-30"):
            home.checked_airflow("dags", "test", DAG_ID, logical_date)
        (old_run,) = [
            run["run_id"] for run in rows(database, "SELECT run_id FROM dag_run WHERE logical_date < '2026-06-01'")
        ]
        with contextlib.closing(database.connect("airflow")) as connection, connection.cursor() as cursor:
            age = f"- interval '{AGE}'"
            cursor.execute(
                f"UPDATE dag_run SET start_date = start_date {age}, end_date = end_date {age}, "
                f"queued_at = queued_at {age} WHERE run_id = %s",
                (old_run,),
            )
            cursor.execute(
                f"UPDATE task_instance SET start_date = start_date {age}, end_date = end_date {age} WHERE run_id = %s",
                (old_run,),
            )
            cursor.execute(f'UPDATE xcom SET "timestamp" = "timestamp" {age} WHERE run_id = %s', (old_run,))
            connection.commit()
        before = {
            "dag_run": rows(database, "SELECT * FROM dag_run ORDER BY id"),
            "task_instance": rows(database, "SELECT * FROM task_instance ORDER BY task_id, run_id"),
        }

        s3 = boto3.client(
            "s3", region_name="eu-west-1", endpoint_url=endpoint, aws_access_key_id="test", aws_secret_access_key="test"
        )
        bucket = values["args"][values["args"].index("--bucket") + 1]
        s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
        assert values["args"][0] == "python"
        started = datetime.now(UTC)
        run = home.run(*values["args"][1:])
        assert run.returncode == 0, (run.stdout + run.stderr)[-4000:]
        objects = {
            item["Key"]: s3.get_object(Bucket=bucket, Key=item["Key"])["Body"].read()
            for item in s3.list_objects_v2(Bucket=bucket).get("Contents", [])
        }
        after = {
            "dag_run": rows(database, "SELECT * FROM dag_run ORDER BY id"),
            "task_instance": rows(database, "SELECT * FROM task_instance ORDER BY task_id, run_id"),
            "archives": rows(
                database, "SELECT tablename FROM pg_tables WHERE tablename LIKE %s", "\\_airflow\\_deleted\\_\\_%"
            ),
        }
        yield {"old_run": old_run, "before": before, "after": after, "objects": objects, "started": started, "run": run}


def test_exactly_the_runs_older_than_the_retention_are_removed(cleaned):
    before, after, old_run = cleaned["before"], cleaned["after"], cleaned["old_run"]
    assert len(before["dag_run"]) == 2
    assert [run["run_id"] for run in after["dag_run"]] == [
        r["run_id"] for r in before["dag_run"] if r["run_id"] != old_run
    ]
    assert {ti["run_id"] for ti in after["task_instance"]} == {r["run_id"] for r in after["dag_run"]}
    assert len(after["task_instance"]) == 2
    assert after["archives"] == []  # exported, then dropped


def test_the_export_has_the_documented_hive_layout(cleaned):
    day = cleaned["started"].strftime("%Y-%m-%d")
    layout = re.compile(
        rf"^metadata-archive/(?P<table>[a-z_]+)/archived_date={day}/_airflow_deleted__(?P=table)__\d{{14}}\.parquet$"
    )
    tables = {layout.match(key)["table"] for key in cleaned["objects"] if layout.match(key)}
    assert set(cleaned["objects"]) == {key for key in cleaned["objects"] if layout.match(key)}
    assert {"dag_run", "task_instance", "xcom"} <= tables


def _read(cleaned, table: str) -> list[dict]:
    import pyarrow.parquet as pq

    (body,) = [body for key, body in cleaned["objects"].items() if key.startswith(f"metadata-archive/{table}/")]
    return pq.read_table(io.BytesIO(body)).to_pylist()


def _same(exported, original) -> bool:
    if isinstance(original, (dict, list)):
        return json.loads(exported) == original
    if isinstance(original, memoryview):
        return exported == bytes(original)
    if isinstance(original, uuid.UUID):
        return exported == str(original)
    return exported == original


@pytest.mark.parametrize("table", ["dag_run", "task_instance"])
def test_the_parquet_reads_back_to_the_removed_rows(cleaned, table):
    kept = {row["id"] for row in cleaned["after"][table]}
    removed = [row for row in cleaned["before"][table] if row["id"] not in kept]
    exported = _read(cleaned, table)
    assert {row["run_id"] for row in removed} == {cleaned["old_run"]}
    assert len(exported) == len(removed) >= 1
    key = "id"
    for original, row in zip(
        sorted(removed, key=lambda r: str(r[key])), sorted(exported, key=lambda r: str(r[key])), strict=True
    ):
        assert set(row) == set(original)
        mismatched = {column for column in original if not _same(row[column], original[column])}
        assert not mismatched, {column: (row[column], original[column]) for column in mismatched}


def test_the_job_said_what_it_did(cleaned):
    output = cleaned["run"].stdout
    assert "older than" in output
    assert "Exported 1 rows of _airflow_deleted__dag_run__" in output
