"""Where task logs go: ``{section: {key: value}}`` for the Airflow config (pure).

AWS tiers write task logs to the stack's S3 bucket through the keyless ``aws_irsa`` connection
(see ``aws_connection.py``); the local tier keeps them in the pods.
"""

from __future__ import annotations

from ..config.model import StackConfig
from ..naming import LOGS_PREFIX
from .aws_connection import AWS_CONN_ID
from .refs import InfraRefs


def remote_logs(cfg: StackConfig) -> bool:
    return cfg.on_aws


def logging_airflow_config(cfg: StackConfig, refs: InfraRefs) -> dict[str, dict[str, str | bool]]:
    if not remote_logs(cfg):
        return {}
    if not refs.logs_bucket:
        raise ValueError("remote logging needs the logs bucket of the AWS stack")
    return {
        "logging": {
            "remote_logging": True,
            "remote_base_log_folder": f"s3://{refs.logs_bucket}/{LOGS_PREFIX}",
            "remote_log_conn_id": AWS_CONN_ID,
            # The bucket's own default encryption (KMS) applies; the pods keep no copy.
            "delete_local_logs": True,
        }
    }
