"""How long Airflow's metadata database keeps run history, and where the purged rows go."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, Field, ValidationInfo, field_validator

from ..base import KitModel

# Five cron fields, as Kubernetes CronJobs take them (no seconds, no @-macros but @daily etc.).
CRON = r"^(@(yearly|annually|monthly|weekly|daily|midnight|hourly)|(\S+\s+){4}\S+)$"


def _at_least_one_day(days: int) -> int:
    if days < 1:
        raise ValueError(
            f"must be at least 1 day (got {days}): `airflow db clean` would purge the runs and task instances "
            "of today, including those still running or queued"
        )
    return days


class MetadataBigQuerySection(KitModel):
    """A second target of the export, for a team whose warehouse is BigQuery."""

    project: str = Field(
        description="Google Cloud project id of the dataset (6-30 lowercase letters, digits and hyphens, "
        "starting with a letter, not ending with a hyphen).",
        pattern=r"^[a-z][a-z0-9-]{4,28}[a-z0-9]$",
    )
    dataset: str = Field(
        description="BigQuery dataset the archive tables are appended to, one table per Airflow table "
        "(letters, digits and underscores, at most 1024). It must exist: the job creates tables, not datasets.",
        pattern=r"^[A-Za-z0-9_]{1,1024}$",
    )
    location: str | None = Field(
        default=None,
        description="Location of the dataset (`US`, `EU`, `europe-west1`...); unset, BigQuery finds it.",
        pattern=r"^[A-Za-z]+(-[a-z]+[0-9]+)?$",
    )
    gcp_conn_id: str = Field(
        default="google_cloud_default",
        description="Airflow connection (Google provider) the cleanup job loads with; its credentials come "
        "from your secrets backend, never from the stack file.",
        pattern=r"^[A-Za-z0-9_.-]{1,250}$",
    )


class MetadataExportSection(KitModel):
    enabled: bool = Field(
        description="Export every purged row to S3 as Parquet (queryable by Athena) before it is dropped. "
        "Needs pyarrow in the Airflow image. Without it the purged rows are dropped."
    )
    prefix: str = Field(
        default="metadata-archive",
        description="Key prefix of the export in the stack's logs bucket "
        "(`<prefix>/<table>/archived_date=<YYYY-MM-DD>/`); the cleanup job may write here and nowhere else.",
        pattern=r"^[a-z0-9][a-z0-9-]*(/[a-z0-9][a-z0-9-]*)*$",
    )
    bigquery: MetadataBigQuerySection | None = Field(
        default=None,
        description="Also load each exported Parquet file into BigQuery (`<dataset>.<table>`, appended, "
        "partitioned by archived date) through the Airflow image's Google provider. Unset: S3 only.",
    )

    @field_validator("bigquery")
    @classmethod
    def _needs_the_export(cls, bigquery: MetadataBigQuerySection | None, info: ValidationInfo) -> Any:
        if bigquery is not None and not info.data.get("enabled"):
            raise ValueError("needs metadataRetention.export.enabled: BigQuery loads the Parquet files of the export")
        return bigquery


class MetadataRetentionSection(KitModel):
    enabled: bool = Field(
        description="Run the chart's `databaseCleanup` CronJob (`airflow db clean`). On in every AWS tier."
    )
    retention_days: Annotated[int, AfterValidator(_at_least_one_day)] = Field(
        description="Run history older than this many days is purged from the metadata database (at least 1)."
    )
    schedule: str = Field(description="When the cleanup runs: a cron schedule, in UTC.", pattern=CRON)
    export: MetadataExportSection = Field(description="The export of the purged rows to S3.")
