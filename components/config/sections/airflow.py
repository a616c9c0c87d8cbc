"""Which Airflow is deployed: version, chart, image, and extra Airflow config."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from ..base import KitModel

ConfigScalar = str | int | float | bool
# Airflow config in Airflow's own shape: `{section: {option: value}}` (the kit's, and `airflow.config`).
AirflowOptions = dict[str, ConfigScalar]
AirflowConfig = dict[str, AirflowOptions]


class ImageSection(KitModel):
    repository: str = Field(
        default="apache/airflow", description="Airflow image repository (your own image with your providers)."
    )
    tag: str | None = Field(
        default=None, description="Pinned image tag. Default: `airflow.version`. `latest` is refused."
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
    config: AirflowConfig = Field(
        default_factory=dict,
        description="Extra Airflow config, `{section: {key: value}}`, applied after the kit's own settings.",
    )
