"""How DAGs reach Airflow, per stack: a DAG bundle (Git or S3), git-sync, or the image (pure).

Airflow 3 DAG bundles are configured with the chart's ``dagProcessor.dagBundleConfigList``
(the chart turns it into ``[dag_processor] dag_bundle_config_list``). The Git bundle needs the
``apache-airflow-providers-git`` package in the image; the S3 bundle the Amazon provider.
"""

from __future__ import annotations

import json
from typing import Any

from ..config.model import StackConfig
from .aws_connection import AWS_CONN_ID
from .kit_secrets import KitSecrets

Values = dict[str, Any]

DAGS_GIT_CONN_ID = "dags_git"
GIT_USERNAME = "git"  # token authentication over HTTPS ignores the user name
DAG_BUNDLE_NAME = "dags"
GIT_BUNDLE = "airflow.providers.git.bundles.git.GitDagBundle"
S3_BUNDLE = "airflow.providers.amazon.aws.bundles.s3.S3DagBundle"


def dags_values(cfg: StackConfig, secrets: KitSecrets) -> Values:
    """Chart values of the stack's DAG delivery."""
    dags = cfg.dags
    if dags.source == "git-bundle":
        if dags.git is None:
            raise ValueError("dags.git is required for the git-bundle source")
        kwargs: Values = {
            "repo_url": dags.git.url,
            "tracking_ref": dags.git.ref,
            "refresh_interval": dags.refresh_interval_seconds,
        }
        if dags.git.subdir:
            kwargs["subdir"] = dags.git.subdir
        if secrets.dags_git:
            kwargs["git_conn_id"] = DAGS_GIT_CONN_ID
        return _bundle(GIT_BUNDLE, kwargs)
    if dags.source == "s3-bundle":
        if dags.s3 is None:
            raise ValueError("dags.s3 is required for the s3-bundle source")
        return _bundle(
            S3_BUNDLE,
            {
                "aws_conn_id": AWS_CONN_ID,
                "bucket_name": dags.s3.bucket,
                "prefix": dags.s3.prefix,
                "refresh_interval": dags.refresh_interval_seconds,
            },
        )
    if dags.source == "git-sync":
        if dags.git is None:
            raise ValueError("dags.git is required for the git-sync source")
        git_sync: Values = {
            "enabled": True,
            "repo": dags.git.url,
            "ref": dags.git.ref,
            "branch": dags.git.ref,
            "subPath": dags.git.subdir or "",
            "period": f"{dags.refresh_interval_seconds}s",
        }
        if secrets.dags_git:
            git_sync["credentialsSecret"] = secrets.dags_git
        return {"dags": {"gitSync": git_sync}}
    return {}  # "image": the DAGs are in the image's dags folder, the chart's default bundle


def _bundle(classpath: str, kwargs: Values) -> Values:
    return {
        "dagProcessor": {"dagBundleConfigList": [{"name": DAG_BUNDLE_NAME, "classpath": classpath, "kwargs": kwargs}]}
    }


def git_connection_json(repo_url: str, token: str) -> str:
    """The ``dags_git`` connection of the Git DAG bundle: the repository and its access token (secret)."""
    return json.dumps(
        {"conn_type": "git", "host": repo_url, "login": GIT_USERNAME, "password": token}, separators=(",", ":")
    )
