"""Plain values from the AWS data plane that the chart values need.

The Pulumi layer resolves its Outputs into an ``AwsRefs`` first and then calls the pure
composers with it, so composition stays a plain function that tests call without Pulumi. The
local tier has no AWS, and so no refs (``None``). Nothing here is secret: credentials reach the
chart only as the names of Kubernetes Secrets.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class AwsRefs:
    region: str
    logs_bucket: str
    # chart component key ("scheduler", "apiServer", ..., "workers") → IRSA role ARN
    role_arns: Mapping[str, str] = field(default_factory=dict)
    # aws.securityGroupsForPods: the kit's security group of Airflow's pods
    pod_security_group: str | None = None
    # event source name → URL of its SQS queue (values/events.py)
    event_queue_urls: Mapping[str, str] = field(default_factory=dict)
