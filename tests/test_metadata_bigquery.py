"""metadataRetention.export.bigquery: the config it takes and refuses, the CronJob args that carry it,
and the export step against a recording BigQuery client (no emulator exists for BigQuery). The load
job config is built with the real ``google.cloud.bigquery`` classes; the database is SQLite."""

from __future__ import annotations

import importlib.util
import io

import pyarrow.parquet as pq
import pytest
import sqlalchemy
from google.cloud import bigquery

from components.values.metadata_retention import CLEANUP_SCRIPT
from tests.support.chart import compose
from tests.support.stacks import problem_at, problems, stack

ARCHIVE = "_airflow_deleted__dag_run__20261202031500"
TARGET = {"project": "team-warehouse", "dataset": "airflow_metadata"}


def _script():
    spec = importlib.util.spec_from_file_location("metadata_cleanup", CLEANUP_SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _with_target(**target):
    return {"export": {"enabled": True, "bigquery": {**TARGET, **target}}}


class TestConfig:
    def test_off_unless_set(self):
        assert stack("prod").metadata_retention.export.bigquery is None

    def test_a_target_with_its_defaults(self):
        target = stack("prod", metadataRetention=_with_target()).metadata_retention.export.bigquery
        assert (target.project, target.dataset) == ("team-warehouse", "airflow_metadata")
        assert (target.location, target.gcp_conn_id) == (None, "google_cloud_default")

    @pytest.mark.parametrize(
        ("target", "key"),
        [
            ({"project": "Team_Warehouse"}, "metadataRetention.export.bigquery.project"),
            ({"project": "abc"}, "metadataRetention.export.bigquery.project"),
            ({"project": "team-warehouse-"}, "metadataRetention.export.bigquery.project"),
            ({"dataset": "airflow-metadata"}, "metadataRetention.export.bigquery.dataset"),
            ({"location": "europe west1"}, "metadataRetention.export.bigquery.location"),
            ({"gcpConnId": "my conn"}, "metadataRetention.export.bigquery.gcpConnId"),
        ],
    )
    def test_names_bigquery_refuses(self, target, key):
        assert [where for where, _ in problems("prod", metadataRetention=_with_target(**target))] == [key]

    def test_not_without_the_parquet_export(self):
        section = {"export": {"enabled": False, "bigquery": TARGET}}
        message = problem_at("prod", "metadataRetention.export.bigquery", metadataRetention=section)
        assert "needs metadataRetention.export.enabled" in message


class TestChartValues:
    def test_the_cronjob_args_carry_the_target(self):
        section = _with_target(location="EU", gcpConnId="warehouse")
        args = compose(stack("prod", metadataRetention=section))["databaseCleanup"]["args"]
        tail = args[args.index("--region") + 2 :]
        assert tail == [
            "--bigquery-project", "team-warehouse",
            "--bigquery-dataset", "airflow_metadata",
            "--gcp-conn-id", "warehouse",
            "--bigquery-location", "EU",
        ]  # fmt: skip

    def test_no_target_no_args(self):
        args = compose(stack("prod"))["databaseCleanup"]["args"]
        assert not [arg for arg in args if arg.startswith("--bigquery") or arg == "--gcp-conn-id"]


class RecordingS3:
    def __init__(self):
        self.objects = {}

    def put_object(self, Bucket, Key, Body, Metadata):  # noqa: N803 (boto3's names)
        self.objects[(Bucket, Key)] = (Body, Metadata)


class LoadJob:
    def __init__(self, error):
        self.error = error

    def result(self):
        if self.error:
            raise self.error
        return self


class RecordingBigQuery:
    """The one method of ``google.cloud.bigquery.Client`` the script calls, recording each load."""

    def __init__(self, error=None):
        self.loads = []
        self.error = error

    def load_table_from_file(self, file_obj, destination, job_config):
        self.loads.append((file_obj.read(), destination, job_config))
        return LoadJob(self.error)


@pytest.fixture
def engine(tmp_path):
    engine = sqlalchemy.create_engine(f"sqlite:///{tmp_path / 'metadata.db'}")
    with engine.begin() as connection:
        connection.execute(sqlalchemy.text(f'CREATE TABLE "{ARCHIVE}" (id INTEGER, dag_id TEXT)'))
        connection.execute(sqlalchemy.text(f"INSERT INTO \"{ARCHIVE}\" VALUES (1, 'etl'), (2, 'report')"))
    yield engine
    engine.dispose()


def _tables(engine):
    return sqlalchemy.inspect(engine).get_table_names()


class TestExport:
    def test_the_parquet_written_to_s3_is_loaded_and_then_dropped(self, engine):
        script, s3, client = _script(), RecordingS3(), RecordingBigQuery()
        keys = script.export(engine, s3, "logs", "metadata-archive", (client, "team-warehouse", "airflow_metadata"))

        [(parquet, destination, job_config)] = client.loads
        assert s3.objects[("logs", keys[0])] == (parquet, {"rows": "2"})
        assert pq.read_table(io.BytesIO(parquet)).to_pydict() == {"id": [1, 2], "dag_id": ["etl", "report"]}
        assert destination == "team-warehouse.airflow_metadata.dag_run$20261202"
        assert isinstance(job_config, bigquery.LoadJobConfig)
        assert job_config.source_format == "PARQUET"
        assert job_config.write_disposition == "WRITE_APPEND"
        assert job_config.schema_update_options == ["ALLOW_FIELD_ADDITION"]
        assert job_config.time_partitioning.type_ == "DAY"
        assert job_config.time_partitioning.field is None  # ingestion time: the $YYYYMMDD partition
        assert ARCHIVE not in _tables(engine)

    def test_a_failed_load_keeps_the_archive_table(self, engine):
        script, s3 = _script(), RecordingS3()
        client = RecordingBigQuery(error=RuntimeError("403 Access Denied: dataset airflow_metadata"))
        with pytest.raises(RuntimeError, match="Access Denied"):
            script.export(engine, s3, "logs", "metadata-archive", (client, "team-warehouse", "airflow_metadata"))
        assert len(client.loads) == 1
        assert ARCHIVE in _tables(engine)  # the next run exports it again (same S3 key) and loads it

    def test_without_a_target_only_s3(self, engine):
        script, s3 = _script(), RecordingS3()
        script.export(engine, s3, "logs", "metadata-archive")
        assert len(s3.objects) == 1
        assert ARCHIVE not in _tables(engine)

    def test_the_destination_is_the_airflow_table_in_its_archived_day(self):
        script = _script()
        table = "_airflow_deleted__task_instance__20261130231500__b2"
        assert script.bigquery_table_id("p-roject", "ds", table) == "p-roject.ds.task_instance$20261130"
        with pytest.raises(ValueError, match="not an archive table"):
            script.bigquery_table_id("p-roject", "ds", "dag_run")
