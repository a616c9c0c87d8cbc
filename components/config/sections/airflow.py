"""Which Airflow is deployed: version, chart, image, and extra Airflow config."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, field_validator

from ..base import KitModel, PositiveInt

ConfigScalar = str | int | float | bool
# Airflow config in Airflow's own shape: `{section: {option: value}}` (the kit's, and `airflow.config`).
AirflowOptions = dict[str, ConfigScalar]
AirflowConfig = dict[str, AirflowOptions]

_DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")


def _check_digest(value: str) -> str:
    if not _DIGEST.match(value):
        raise ValueError(
            f"'{value}' is not an image digest: sha256: and 64 lowercase hex digits "
            "(docker buildx imagetools inspect <image> prints it)"
        )
    return value


ImageDigest = Annotated[str, AfterValidator(_check_digest)]


class ImageSection(KitModel):
    repository: str = Field(
        default="apache/airflow", description="Airflow image repository (your own image with your providers)."
    )
    tag: str | None = Field(
        default=None, description="Pinned image tag. Default: `airflow.version`. `latest` is refused."
    )
    digest: ImageDigest | None = Field(
        default=None,
        description="Pin the image by digest (`sha256:...`): every Airflow pod, task pod and the kit's Jobs run "
        "exactly this image; the tag stays as a label.",
    )
    pull_policy: Literal["IfNotPresent", "Always", "Never"] = Field(
        default="IfNotPresent", description="Image pull policy."
    )
    pull_secrets: list[str] = Field(default_factory=list, description="Names of existing image pull Secrets.")

    @field_validator("tag")
    @classmethod
    def _pinned(cls, tag: str | None) -> str | None:
        if tag is not None and (tag == "latest" or tag.endswith("-latest") or not tag.strip()):
            raise ValueError(f"'{tag}' is not a pinned tag; name an exact version such as 3.2.2 or your build's tag")
        return tag


class ChartImageDigests(KitModel):
    """The chart's other images, pinned by digest on top of the chart version's own tags."""

    statsd: ImageDigest | None = Field(default=None, description="Digest of the chart's StatsD exporter image.")
    pgbouncer: ImageDigest | None = Field(default=None, description="Digest of the chart's PgBouncer image.")
    pgbouncer_exporter: ImageDigest | None = Field(
        default=None, description="Digest of the chart's PgBouncer metrics exporter image."
    )
    git_sync: ImageDigest | None = Field(default=None, description="Digest of the chart's git-sync image.")
    redis: ImageDigest | None = Field(default=None, description="Digest of the chart's Redis image (local tier).")


class AirflowSection(KitModel):
    version: str = Field(
        default="3.2.2",
        description="Airflow version deployed; a change runs the migration once.",
        pattern=r"^3\.\d+\.\d+$",
    )
    chart_version: str = Field(
        default="1.22.0", description="Official Apache Airflow Helm chart version.", pattern=r"^\d+\.\d+\.\d+$"
    )
    chart_repository: str = Field(default="https://airflow.apache.org", description="Helm repository of the chart.")
    image: ImageSection = Field(default_factory=ImageSection, description="The Airflow image.")
    chart_image_digests: ChartImageDigests = Field(
        default_factory=ChartImageDigests,
        description="Digests of the chart's other images (the chart's tags for its version, pinned to exactly "
        "these builds).",
    )
    config: AirflowConfig = Field(
        default_factory=dict,
        description="Extra Airflow config, `{section: {key: value}}`, applied after the kit's own settings.",
    )
    fernet_key_generation: PositiveInt = Field(
        default=1,
        description="Generation of the fernet key. Raising it by one adds a new random key first in "
        "`[core] fernet_key` and keeps the earlier ones after it, so data encrypted under any stays readable "
        "(`airflow-ha keys rotate-fernet` drives the whole rotation; docs/runbooks/key-rotation.md).",
    )
    fernet_key_retired_through: Annotated[int, Field(ge=0)] = Field(
        default=0,
        description="Generations up to and including this one are dropped from `[core] fernet_key` (their keys "
        "stay in the kit's keeping for old snapshots). Set it to the previous generation once "
        "`airflow rotate-fernet-key` has re-encrypted everything under the current one.",
    )
