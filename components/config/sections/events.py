"""Event sources (S3 notifications into SQS, for Airflow 3 asset watchers) and where large XComs go."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from ..base import KitModel

# The S3 event types a bucket notification can deliver to SQS (the S3 API's own names).
S3EventType = Literal[
    "s3:ObjectCreated:*",
    "s3:ObjectCreated:Put",
    "s3:ObjectCreated:Post",
    "s3:ObjectCreated:Copy",
    "s3:ObjectCreated:CompleteMultipartUpload",
    "s3:ObjectRemoved:*",
    "s3:ObjectRemoved:Delete",
    "s3:ObjectRemoved:DeleteMarkerCreated",
    "s3:ObjectRestore:*",
    "s3:ObjectRestore:Post",
    "s3:ObjectRestore:Completed",
    "s3:ObjectTagging:*",
    "s3:LifecycleExpiration:*",
]

# Part of the queue's name and of the Airflow Variable that holds its URL: short and plain.


def _object_created() -> list[S3EventType]:
    return ["s3:ObjectCreated:*"]


SourceName = Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]{0,29}$")]


class EventSource(KitModel):
    name: SourceName = Field(
        description="Name of the source: the queue is `<release>-<stack>-events-<name>`, its URL the Airflow "
        "Variable `event_queue_<name>` (`-` becomes `_`). Lowercase letters, digits and `-`, at most 30."
    )
    bucket: str = Field(description="The S3 bucket whose notifications feed the queue (an existing bucket).")
    prefix: str = Field(default="", description="Only keys under this prefix notify (empty: the whole bucket).")
    suffix: str = Field(default="", description="Only keys ending with this notify (empty: any key).")
    events: list[S3EventType] = Field(
        default_factory=_object_created,
        min_length=1,
        description="S3 event types that notify, with S3's names (`s3:ObjectCreated:*`, `s3:ObjectRemoved:*`...).",
    )
    message_retention_seconds: Annotated[int, Field(ge=60, le=1_209_600)] = Field(
        default=345_600, description="How long an unread notification stays in the queue (SQS: 60 s to 14 days)."
    )
    max_receive_count: Annotated[int, Field(ge=1, le=1000)] = Field(
        default=5, description="Receives before a notification moves to the dead-letter queue."
    )


class EventsSection(KitModel):
    sources: list[EventSource] = Field(
        default_factory=list,
        description="S3 buckets whose notifications trigger DAGs: per source an SQS queue with a dead-letter "
        "queue, the bucket's notification, and read access for the triggerer (docs/runbooks/event-driven-dags.md).",
    )


XComCompression = Literal["none", "gzip", "bz2", "zip", "lzma"]


class XComObjectStorageSection(KitModel):
    enabled: bool = Field(
        description="Store XComs above `thresholdBytes` in S3 (Airflow's `XComObjectStorageBackend`); the "
        "database keeps only their path. On in the staging and prod tiers."
    )
    bucket: str | None = Field(
        default=None,
        description="Bucket of the XComs. Default in the AWS tiers: the stack's logs bucket, under `prefix`, "
        "with its own expiry. The local tier needs one (S3-compatible, reached with `airflow.config`).",
    )
    prefix: str = Field(
        default="xcom",
        pattern=r"^[A-Za-z0-9!_.*'()-]+(/[A-Za-z0-9!_.*'()-]+)*$",
        description="Key prefix of the XComs.",
    )
    threshold_bytes: Annotated[int, Field(ge=0)] = Field(
        default=1_048_576,
        description="`[common.io] xcom_objectstorage_threshold`: XComs larger than this many bytes go to S3, "
        "smaller ones stay in the database; 0 sends every XCom to S3.",
    )
    compression: XComCompression = Field(
        default="none",
        description="`[common.io] xcom_objectstorage_compression` of the stored XComs: `none`, `gzip`, `bz2`, "
        "`zip` or `lzma`.",
    )
    retention_days: Annotated[int, Field(ge=1)] = Field(
        default=30,
        description="XComs older than this expire from the kit's bucket (a lifecycle rule on `prefix`).",
    )


class XComSection(KitModel):
    object_storage: XComObjectStorageSection = Field(description="Large XComs in S3 instead of the database.")
