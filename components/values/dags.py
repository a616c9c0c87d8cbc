"""How DAGs reach Airflow, per stack: a DAG bundle (Git or S3), git-sync, or the image (pure).

Airflow 3 DAG bundles are configured with the chart's ``dagProcessor.dagBundleConfigList``
(the chart turns it into ``[dag_processor] dag_bundle_config_list``). The Git bundle needs the
``apache-airflow-providers-git`` package in the image; the S3 bundle the Amazon provider.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from ..config.model import StackConfig
from ..config.sections.dags import GitSource, S3Source
from .aws_connection import AWS_CONN_ID
from .kit_secrets import KitSecrets

Values = dict[str, Any]

DAGS_GIT_CONN_ID = "dags_git"
GIT_USERNAME = "git"  # token authentication over HTTPS ignores the user name
DAG_BUNDLE_NAME = "dags"
GIT_BUNDLE = "airflow.providers.git.bundles.git.GitDagBundle"
S3_BUNDLE = "airflow.providers.amazon.aws.bundles.s3.S3DagBundle"


@dataclass(frozen=True)
class GitBundle:
    git: GitSource
    refresh_interval_seconds: int


@dataclass(frozen=True)
class GitSync:
    git: GitSource
    refresh_interval_seconds: int


@dataclass(frozen=True)
class S3Bundle:
    s3: S3Source
    refresh_interval_seconds: int


@dataclass(frozen=True)
class ImageDags:
    """The DAGs are in the image's dags folder: the chart's default bundle."""


DagDelivery = GitBundle | GitSync | S3Bundle | ImageDags


def dag_delivery(cfg: StackConfig) -> DagDelivery:
    """The stack's DAG delivery; the config rules guarantee the location its source needs."""
    dags = cfg.dags
    refresh = dags.refresh_interval_seconds
    match dags.source, dags.git, dags.s3:
        case "git-bundle", GitSource() as git, _:
            return GitBundle(git, refresh)
        case "git-sync", GitSource() as git, _:
            return GitSync(git, refresh)
        case "s3-bundle", _, S3Source() as s3:
            return S3Bundle(s3, refresh)
    return ImageDags()


def dags_values(cfg: StackConfig, secrets: KitSecrets) -> Values:
    """Chart values of the stack's DAG delivery."""
    match dag_delivery(cfg):
        case GitBundle(git=git, refresh_interval_seconds=refresh):
            kwargs: Values = {"repo_url": git.url, "tracking_ref": git.ref, "refresh_interval": refresh}
            if git.subdir:
                kwargs["subdir"] = git.subdir
            if secrets.dags_git:
                kwargs["git_conn_id"] = DAGS_GIT_CONN_ID
            return _bundle(GIT_BUNDLE, kwargs)
        case S3Bundle(s3=s3, refresh_interval_seconds=refresh):
            return _bundle(
                S3_BUNDLE,
                {
                    "aws_conn_id": AWS_CONN_ID,
                    "bucket_name": s3.bucket,
                    "prefix": s3.prefix,
                    "refresh_interval": refresh,
                },
            )
        case GitSync(git=git, refresh_interval_seconds=refresh):
            git_sync: Values = {
                "enabled": True,
                "repo": git.url,
                "ref": git.ref,
                "branch": git.ref,
                "subPath": git.subdir or "",
                "period": f"{refresh}s",
            }
            if secrets.dags_git:
                git_sync["credentialsSecret"] = secrets.dags_git
            return {"dags": {"gitSync": git_sync}}
    return {}


def _bundle(classpath: str, kwargs: Values) -> Values:
    return {
        "dagProcessor": {"dagBundleConfigList": [{"name": DAG_BUNDLE_NAME, "classpath": classpath, "kwargs": kwargs}]}
    }


def git_connection_json(repo_url: str, token: str) -> str:
    """The ``dags_git`` connection of the Git DAG bundle: the repository and its access token (secret)."""
    return json.dumps(
        {"conn_type": "git", "host": repo_url, "login": GIT_USERNAME, "password": token}, separators=(",", ":")
    )
