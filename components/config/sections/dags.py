"""How DAGs reach Airflow."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ..base import KitModel, PositiveInt


class GitSource(KitModel):
    url: str = Field(description="Git repository of the DAGs (https).")
    ref: str = Field(default="main", description="Branch or tag to deploy.")
    subdir: str | None = Field(default=None, description="Folder of the DAGs inside the repository.")


class S3Source(KitModel):
    bucket: str = Field(description="Bucket holding the DAGs.")
    prefix: str = Field(default="dags/", description="Key prefix of the DAGs.")


class DagsSection(KitModel):
    source: Literal["git-bundle", "s3-bundle", "git-sync", "image"] = Field(
        description="How DAGs reach Airflow: an Airflow 3 DAG bundle (Git or S3), git-sync, or baked into the image."
    )
    git: GitSource | None = Field(default=None, description="Repository for `git-bundle` and `git-sync`.")
    s3: S3Source | None = Field(default=None, description="Location for `s3-bundle`.")
    refresh_interval_seconds: PositiveInt = Field(
        default=300, description="How often bundles or git-sync look for new commits."
    )
