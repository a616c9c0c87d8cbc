"""Plain values from the infrastructure that the chart values need.

The Pulumi layer resolves its Outputs into an ``InfraRefs`` first and then calls the pure
composers with it, so composition stays a plain function that tests call without Pulumi.
Nothing here is secret: credentials reach the chart only as the names of Kubernetes Secrets.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class InfraRefs:
    aws_region: str | None = None
    logs_bucket: str | None = None
    # chart component ("scheduler", "apiServer", "triggerer", "dagProcessor", "workers") → IAM role ARN
    role_arns: Mapping[str, str] = field(default_factory=dict)
