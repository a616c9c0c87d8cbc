"""The AWS connection every AWS-tier pod gets, with no keys in it (pure).

Airflow's AWS hooks build a boto3 session from a connection. This one names only the region;
with no credentials in it, boto3 falls back to its default chain, where the EKS pod identity
webhook has put the IRSA web-identity token of the pod's service account. So remote logging and
S3 DAG bundles work with no hand-made connection and no stored credentials. It reaches Airflow as
an ``AIRFLOW_CONN_<ID>`` environment variable (not secret: it holds no credential).
"""

from __future__ import annotations

import json

from ..naming.kubernetes import connection_env_name
from .refs import AwsRefs

AWS_CONN_ID = "aws_irsa"


def aws_connection_env(refs: AwsRefs) -> dict[str, str]:
    """The chart ``env`` entry that defines the connection ``aws_irsa``."""
    extra = {"region_name": refs.region}
    return {
        "name": connection_env_name(AWS_CONN_ID),
        "value": json.dumps({"conn_type": "aws", "extra": extra}, separators=(",", ":")),
    }
