"""OpenLineage as typed data, and its share of the Airflow config (pure).

An OpenLineage transport with an API key is secret: it is delivered whole as
``AIRFLOW__OPENLINEAGE__TRANSPORT`` from a Secret, and ``[openlineage] transport`` is then left
out of the ConfigMap.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import SecretStr

from ..config.model import StackConfig
from ..config.sections.airflow import AirflowOptions
from .secrets_backend import single_line_json


@dataclass(frozen=True)
class OpenLineageTarget:
    url: str
    endpoint: str
    namespace: str
    api_key: SecretStr | None


def openlineage_target(cfg: StackConfig) -> OpenLineageTarget | None:
    """None when OpenLineage is off. On, the config rules guarantee the URL."""
    lineage = cfg.openlineage
    if not lineage.enabled or lineage.url is None:
        return None
    return OpenLineageTarget(lineage.url, lineage.endpoint, lineage.namespace, cfg.secrets.openlineage_api_key)


def openlineage_transport(target: OpenLineageTarget, *, with_api_key: bool) -> str:
    """``[openlineage] transport``: HTTP to the target, with its API key when asked (then secret)."""
    transport: dict[str, Any] = {"type": "http", "url": target.url, "endpoint": target.endpoint}
    if with_api_key and target.api_key is not None:
        transport["auth"] = {"type": "api_key", "apiKey": target.api_key.get_secret_value()}
    return single_line_json(transport)


def openlineage_section(target: OpenLineageTarget | None) -> AirflowOptions:
    if target is None:
        return {"disabled": True}
    section: AirflowOptions = {"disabled": False, "namespace": target.namespace}
    if target.api_key is None:
        section["transport"] = openlineage_transport(target, with_api_key=False)
    return section
