"""Airflow's side of event-driven DAGs and large XComs (pure): deferral by default, the XCom object
storage backend, and the Airflow Variable per event source that holds its queue's URL.

XComs above the threshold go to S3 through the common-io provider's ``XComObjectStorageBackend``;
the database keeps only their path. In the AWS tiers they live under their own prefix of the
stack's logs bucket (KMS, TLS-only, public access blocked, its own expiry rule), reached through
the keyless ``aws_irsa`` connection, and only the workers' role may read and write them.
"""

from __future__ import annotations

from ..config.model import StackConfig
from ..config.sections.airflow import AirflowConfig
from .aws_connection import AWS_CONN_ID
from .refs import AwsRefs

XCOM_BACKEND = "airflow.providers.common.io.xcom.backend.XComObjectStorageBackend"
# The local tier has no IRSA: its XCom bucket is reached with the connection Airflow's AWS hooks
# use by default, which the operator defines (an S3-compatible store and its keys).
LOCAL_XCOM_CONN_ID = "aws_default"


def event_queue_variable(source_name: str) -> str:
    """The Airflow Variable holding a source's queue URL: ``event_queue_<name>``, ``-`` as ``_``."""
    return f"event_queue_{source_name.replace('-', '_')}"


def variable_env_name(variable: str) -> str:
    """Airflow reads ``AIRFLOW_VAR_<KEY>`` as the Variable ``<key>``, with no secrets-backend lookup."""
    return f"AIRFLOW_VAR_{variable.upper()}"


def xcom_path(cfg: StackConfig, refs: AwsRefs | None) -> str | None:
    """``s3://<conn_id>@<bucket>/<prefix>``: where large XComs go; None when object storage is off."""
    storage = cfg.xcom.object_storage
    if not storage.enabled:
        return None
    bucket = storage.bucket or (refs.logs_bucket if refs is not None else None)
    if bucket is None:
        return None  # the local tier without a bucket: a config rule refuses it
    conn_id = AWS_CONN_ID if refs is not None else LOCAL_XCOM_CONN_ID
    return f"s3://{conn_id}@{bucket}/{storage.prefix}"


def events_airflow_config(cfg: StackConfig, refs: AwsRefs | None) -> AirflowConfig:
    config: AirflowConfig = {"operators": {"default_deferrable": cfg.triggerer.default_deferrable}}
    path = xcom_path(cfg, refs)
    if path is not None:
        storage = cfg.xcom.object_storage
        config["core"] = {"xcom_backend": XCOM_BACKEND}
        config["common.io"] = {
            "xcom_objectstorage_path": path,
            "xcom_objectstorage_threshold": storage.threshold_bytes,
        }
        if storage.compression != "none":
            config["common.io"]["xcom_objectstorage_compression"] = storage.compression
    return config


def event_queue_env(refs: AwsRefs | None) -> list[dict[str, str]]:
    """Chart ``env`` entries, one per event source: its queue URL as an Airflow Variable."""
    if refs is None:
        return []
    return [
        {"name": variable_env_name(event_queue_variable(name)), "value": url}
        for name, url in sorted(refs.event_queue_urls.items())
    ]
