"""Retention on a CloudWatch log group that an AWS service creates itself.

Amazon MQ writes a broker's logs to ``/aws/amazonmq/broker/<broker id>/general``, a group it
creates while the broker starts and whose name is known only once the broker exists; the broker
API takes no log group. An ``aws.cloudwatch.LogGroup`` would race the service and fail with
"already exists". So, like the AWS CDK's ``LogRetention``, this resource creates the group if it
is not there yet and puts the retention policy on it. Deleting it leaves the group and its logs
to expire under that policy.
"""

from __future__ import annotations

import contextlib
from typing import Any

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, ResourceProvider, UpdateResult


def apply_retention(region: str, log_group_name: str, retention_in_days: int) -> None:
    """Create the group unless it exists, then set its retention (idempotent)."""
    import boto3

    logs = boto3.client("logs", region_name=region)
    with contextlib.suppress(logs.exceptions.ResourceAlreadyExistsException):
        logs.create_log_group(logGroupName=log_group_name)
    logs.put_retention_policy(logGroupName=log_group_name, retentionInDays=retention_in_days)


class LogRetentionProvider(ResourceProvider):
    def create(self, props: dict[str, Any]) -> CreateResult:
        apply_retention(props["region"], props["logGroupName"], int(props["retentionInDays"]))
        return CreateResult(id_=props["logGroupName"], outs=props)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        changed = [key for key in ("region", "logGroupName", "retentionInDays") if olds.get(key) != news.get(key)]
        replaces = [key for key in changed if key != "retentionInDays"]
        return DiffResult(changes=bool(changed), replaces=replaces, delete_before_replace=False)

    def update(self, _id: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        apply_retention(news["region"], news["logGroupName"], int(news["retentionInDays"]))
        return UpdateResult(outs=news)


class LogRetention(pulumi.dynamic.Resource):
    """``retentionInDays`` on the log group ``logGroupName`` in ``region``."""

    def __init__(
        self,
        name: str,
        *,
        region: str,
        log_group_name: pulumi.Input[str],
        retention_in_days: int,
        opts: pulumi.ResourceOptions,
    ):
        super().__init__(
            LogRetentionProvider(),
            name,
            {"region": region, "logGroupName": log_group_name, "retentionInDays": retention_in_days},
            opts,
        )
