"""Metadata retention, run by the chart's databaseCleanup CronJob: archive, export, then drop.

1. ``airflow db clean`` moves every row older than the retention out of Airflow's tables into
   archive tables ``_airflow_deleted__<table>__<UTC timestamp>`` (the archive is kept: no
   ``--skip-archive``).
2. Each archive table becomes one Parquet file in S3, Hive-style, so that Athena (or Spark,
   Trino, BigQuery external tables) can query the run history:
   ``s3://<bucket>/<prefix>/<table>/archived_date=<YYYY-MM-DD>/<archive table>.parquet``.
   Column types follow the database's (timestamps in UTC, JSON as text), so every file of a
   table has the same schema.
3. With a BigQuery target (``--bigquery-dataset``), the same Parquet bytes are loaded into
   ``<project>.<dataset>.<table>``: appended, schema from the Parquet file, into the day partition
   of the archived date (ingestion-time partitioning, ``<table>$YYYYMMDD``). The client comes from
   the Google provider's ``BigQueryHook`` (in the official Airflow image), so the credentials are
   the Airflow connection's.
4. Only once S3 (and BigQuery, when set) has accepted it is the archive table dropped. An archive table left by
   a failed run is exported by the next one (its object key is its name).

The kit passes this file to ``python -c`` in the CronJob's args (components/values/metadata_retention.py),
so it needs nothing but the Airflow image: Airflow, SQLAlchemy, boto3, and pyarrow. The pod's IRSA
role may write objects under the prefix and nothing else.
"""

from __future__ import annotations

import argparse
import datetime
import io
import json
import re
import subprocess
import sys
from collections.abc import Sequence
from typing import Any

ARCHIVE_PREFIX = "_airflow_deleted__"
ARCHIVE_TABLE = re.compile(r"^_airflow_deleted__(?P<table>.+?)__(?P<stamp>\d{14})(?:__b\d+)?$")


def clean(retention_days: int, now: datetime.datetime, tables: Sequence[str], batch_size: int | None) -> None:
    """``airflow db clean`` of everything older than ``retention_days``, keeping the archive tables."""
    before = now - datetime.timedelta(days=retention_days)
    argv = [sys.executable, "-m", "airflow", "db", "clean", "--clean-before-timestamp", before.isoformat(), "--yes"]
    argv.append("--verbose")
    if tables:
        argv += ["--tables", ",".join(tables)]
    if batch_size:
        argv += ["--batch-size", str(batch_size)]
    print(f"Archiving metadata older than {before.isoformat()}", flush=True)
    subprocess.run(argv, check=True)


def archive_tables(engine: Any) -> list[str]:
    import sqlalchemy

    return sorted(name for name in sqlalchemy.inspect(engine).get_table_names() if ARCHIVE_TABLE.match(name))


def object_key(prefix: str, archive_table: str) -> str:
    match = ARCHIVE_TABLE.match(archive_table)
    if match is None:
        raise ValueError(f"{archive_table} is not an archive table of airflow db clean")
    stamp = match["stamp"]
    day = f"{stamp[:4]}-{stamp[4:6]}-{stamp[6:8]}"
    return f"{prefix.strip('/')}/{match['table']}/archived_date={day}/{archive_table}.parquet"


def arrow_type(column_type: Any) -> Any:
    """The Parquet type of a SQLAlchemy column type: stable whatever the rows hold (all NULL included)."""
    import pyarrow as pa
    import sqlalchemy.types as sql

    if isinstance(column_type, sql.Boolean):
        return pa.bool_()
    if isinstance(column_type, sql.Integer):
        return pa.int64()
    if isinstance(column_type, sql.Float):
        return pa.float64()
    if isinstance(column_type, sql.Numeric):
        return pa.float64()
    if isinstance(column_type, sql.DateTime):
        return pa.timestamp("us", tz="UTC")
    if isinstance(column_type, sql.Date):
        return pa.date32()
    if isinstance(column_type, sql.LargeBinary):
        return pa.binary()
    return pa.string()  # text, enums, UUIDs, JSON (as its text)


def arrow_value(value: Any, kind: Any) -> Any:
    import pyarrow as pa

    if value is None:
        return None
    if kind == pa.string() and not isinstance(value, str):
        return json.dumps(value, default=str, sort_keys=True) if isinstance(value, (dict, list)) else str(value)
    if kind == pa.timestamp("us", tz="UTC") and value.tzinfo is None:
        return value.replace(tzinfo=datetime.UTC)  # Airflow stores UTC
    if kind == pa.float64():
        return float(value)
    if kind == pa.binary() and isinstance(value, memoryview):
        return bytes(value)
    return value


def read_table(engine: Any, name: str) -> Any:
    """Every row of ``name`` as an Arrow table, with the schema its columns' types give."""
    import pyarrow as pa
    import sqlalchemy

    table = sqlalchemy.Table(name, sqlalchemy.MetaData(), autoload_with=engine)
    schema = pa.schema([pa.field(column.name, arrow_type(column.type)) for column in table.columns])
    with engine.connect() as connection:
        rows = connection.execute(sqlalchemy.select(table)).mappings().all()
    columns = {
        field.name: pa.array([arrow_value(row[field.name], field.type) for row in rows], type=field.type)
        for field in schema
    }
    return pa.table(columns, schema=schema)


def bigquery_table_id(project: str, dataset: str, archive_table: str) -> str:
    """The destination of one archive table: its Airflow table, in the day partition of its archived date."""
    match = ARCHIVE_TABLE.match(archive_table)
    if match is None:
        raise ValueError(f"{archive_table} is not an archive table of airflow db clean")
    return f"{project}.{dataset}.{match['table']}${match['stamp'][:8]}"


def load_into_bigquery(client: Any, project: str, dataset: str, archive_table: str, parquet: bytes) -> Any:
    """Append one Parquet file to BigQuery and wait for the load job: a failed load raises."""
    from google.cloud import bigquery

    job_config = bigquery.LoadJobConfig(
        source_format=bigquery.SourceFormat.PARQUET,
        write_disposition=bigquery.WriteDisposition.WRITE_APPEND,
        # A column an Airflow upgrade adds reaches the table instead of failing every later load.
        schema_update_options=[bigquery.SchemaUpdateOption.ALLOW_FIELD_ADDITION],
        time_partitioning=bigquery.TimePartitioning(type_=bigquery.TimePartitioningType.DAY),
    )
    job = client.load_table_from_file(
        io.BytesIO(parquet), bigquery_table_id(project, dataset, archive_table), job_config=job_config
    )
    return job.result()


def export(engine: Any, s3: Any, bucket: str, prefix: str, bigquery: tuple[Any, str, str] | None = None) -> list[str]:
    """Each archive table to S3 as Parquet (and into BigQuery when ``bigquery`` is a
    ``(client, project, dataset)``), then dropped; returns the object keys written."""
    import pyarrow.parquet as pq
    import sqlalchemy

    written = []
    for name in archive_tables(engine):
        rows = read_table(engine, name)
        buffer = io.BytesIO()
        pq.write_table(rows, buffer, compression="zstd")
        key = object_key(prefix, name)
        # A successful PUT is durable and read-after-write consistent; a failed one raises, and the
        # archive table stays for the next run. (The job's role may only write: no read-back.)
        s3.put_object(Bucket=bucket, Key=key, Body=buffer.getvalue(), Metadata={"rows": str(rows.num_rows)})
        if bigquery is not None:
            client, project, dataset = bigquery
            load_into_bigquery(client, project, dataset, name, buffer.getvalue())
            print(f"Loaded {rows.num_rows} rows of {name} into {project}.{dataset}", flush=True)
        with engine.begin() as connection:
            connection.execute(sqlalchemy.text(f'DROP TABLE "{name}"'))
        print(f"Exported {rows.num_rows} rows of {name} to s3://{bucket}/{key}", flush=True)
        written.append(key)
    return written


def main(argv: Sequence[str]) -> None:
    parser = argparse.ArgumentParser(description="Archive, export and drop Airflow metadata past its retention")
    parser.add_argument("--retention-days", type=int, required=True)
    parser.add_argument("--bucket", required=True)
    parser.add_argument("--prefix", required=True)
    parser.add_argument("--region", required=True)
    parser.add_argument("--tables", default="", help="comma-separated; default: every table airflow db clean knows")
    parser.add_argument("--batch-size", type=int, default=None)
    parser.add_argument("--bigquery-project", default=None)
    parser.add_argument("--bigquery-dataset", default=None, help="also load each Parquet file into BigQuery")
    parser.add_argument("--bigquery-location", default=None)
    parser.add_argument("--gcp-conn-id", default="google_cloud_default")
    args = parser.parse_args(argv)

    import boto3
    import sqlalchemy
    from airflow.configuration import conf

    clean(
        args.retention_days,
        datetime.datetime.now(datetime.UTC),
        [table for table in args.tables.split(",") if table],
        args.batch_size,
    )
    bigquery = None
    if args.bigquery_dataset:
        from airflow.providers.google.cloud.hooks.bigquery import BigQueryHook

        hook = BigQueryHook(gcp_conn_id=args.gcp_conn_id, location=args.bigquery_location)
        client = hook.get_client(project_id=args.bigquery_project, location=args.bigquery_location)
        bigquery = (client, args.bigquery_project, args.bigquery_dataset)
    engine = sqlalchemy.create_engine(conf.get("database", "sql_alchemy_conn"))
    try:
        export(engine, boto3.client("s3", region_name=args.region), args.bucket, args.prefix, bigquery)
    finally:
        engine.dispose()


if __name__ == "__main__":
    main(sys.argv[1:])
