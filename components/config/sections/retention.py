"""How long Airflow's metadata database keeps run history, and where the purged rows go."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field

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


class MetadataRetentionSection(KitModel):
    enabled: bool = Field(
        description="Run the chart's `databaseCleanup` CronJob (`airflow db clean`). On in every AWS tier."
    )
    retention_days: Annotated[int, AfterValidator(_at_least_one_day)] = Field(
        description="Run history older than this many days is purged from the metadata database (at least 1)."
    )
    schedule: str = Field(description="When the cleanup runs: a cron schedule, in UTC.", pattern=CRON)
    export: MetadataExportSection = Field(description="The export of the purged rows to S3.")
