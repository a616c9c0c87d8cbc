"""What every section of the stack config is built from: the shared model settings and the
Kubernetes-shaped building blocks (quantities, requests and limits, tolerations, replicas)."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field
from pydantic.alias_generators import to_camel

from .quantities import cpu_cores, memory_bytes


class KitModel(BaseModel):
    """Shared model settings: camelCase keys, unknown keys rejected, values immutable."""

    model_config = ConfigDict(
        extra="forbid",
        alias_generator=to_camel,
        populate_by_name=True,
        frozen=True,
        validate_default=True,
    )


def _quantity_string(value: Any) -> Any:
    return str(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else value


def _check_cpu(value: str) -> str:
    cpu_cores(value)
    return value


def _check_memory(value: str) -> str:
    memory_bytes(value)
    return value


CpuQuantity = Annotated[str, BeforeValidator(_quantity_string), AfterValidator(_check_cpu)]
MemoryQuantity = Annotated[str, BeforeValidator(_quantity_string), AfterValidator(_check_memory)]
PositiveInt = Annotated[int, Field(ge=1)]

_ARN = re.compile(r"^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:\d{12}:.+$")


def _check_arn(value: str | None) -> str | None:
    if value is not None and not _ARN.match(value):
        raise ValueError(f"'{value}' is not an AWS ARN (arn:aws:<service>:<region>:<account>:<resource>)")
    return value


Arn = Annotated[str | None, AfterValidator(_check_arn)]


class ResourceAmounts(KitModel):
    cpu: CpuQuantity = Field(description="CPU, as a Kubernetes quantity (`500m`, `2`).")
    memory: MemoryQuantity = Field(description="Memory, as a Kubernetes quantity (`512Mi`, `4Gi`).")


class Resources(KitModel):
    """Requests and limits, with the chart's own names."""

    requests: ResourceAmounts = Field(description="What the scheduler reserves for the pod.")
    limits: ResourceAmounts | None = Field(
        default=None, description="Hard ceiling; omit for no limit (not recommended in prod)."
    )


class Toleration(KitModel):
    """A Kubernetes toleration, with the API's own field names."""

    key: str | None = Field(default=None, description="Taint key the toleration matches; empty matches every key.")
    operator: Literal["Equal", "Exists"] = Field(
        default="Equal", description="`Equal` matches the taint's value; `Exists` matches any value."
    )
    value: str | None = Field(default=None, description="Taint value matched with `Equal`.")
    effect: Literal["NoSchedule", "PreferNoSchedule", "NoExecute"] | None = Field(
        default=None, description="Taint effect matched; empty matches every effect."
    )


class ComponentSpec(KitModel):
    replicas: PositiveInt = Field(description="Pods of this component. The prod tier requires at least 2.")
    resources: Resources = Field(description="Requests and limits of each pod.")
