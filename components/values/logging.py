"""Where task logs go: ``{section: {key: value}}`` for the Airflow config (pure).

AWS tiers write task logs to the stack's S3 bucket through the keyless ``aws_irsa`` connection
(see ``aws_connection.py``); the local tier keeps them in the pods.
"""

from __future__ import annotations

from ..naming.aws import LOGS_PREFIX
from .aws_connection import AWS_CONN_ID
from .refs import AwsRefs


def logging_airflow_config(refs: AwsRefs | None) -> dict[str, dict[str, str | bool]]:
    if refs is None:
        return {}
    return {
        "logging": {
            "remote_logging": True,
            "remote_base_log_folder": f"s3://{refs.logs_bucket}/{LOGS_PREFIX}",
            "remote_log_conn_id": AWS_CONN_ID,
            # The bucket's own default encryption (KMS) applies; the pods keep no copy.
            "delete_local_logs": True,
        }
    }
