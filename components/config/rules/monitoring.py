"""Monitoring needs what it talks to: a namespace Prometheus scrapes from, AWS for CloudWatch, someone to notify."""

from __future__ import annotations

from collections.abc import Iterator

from ..errors import Problem
from ..model import StackConfig
from ..rule import rule


@rule("monitoring", "kubernetes")
def prometheus_can_scrape(cfg: StackConfig, _explicit: frozenset[str]) -> Iterator[Problem]:
    if (
        cfg.monitoring.prometheus.enabled
        and cfg.kubernetes.network_policies
        and not cfg.kubernetes.monitoring_namespace
    ):
        yield Problem(
            "kubernetes.monitoringNamespace",
            "is required when monitoring.prometheus.enabled is true and kubernetes.networkPolicies is true: "
            "the network policies admit Prometheus to the StatsD and PgBouncer exporters from that namespace only",
        )


@rule("tier")
def local_tier_has_no_cloudwatch(cfg: StackConfig, explicit: frozenset[str]) -> Iterator[Problem]:
    if not cfg.on_aws and "monitoring.cloudwatch" in explicit:
        yield Problem(
            "monitoring.cloudwatch",
            "is not allowed in the 'local' tier, which has no AWS; use tier dev, staging or prod for CloudWatch alarms",
        )


@rule("monitoring", "tier")
def cloudwatch_alarms_reach_someone(cfg: StackConfig, _explicit: frozenset[str]) -> Iterator[Problem]:
    cloudwatch = cfg.monitoring.cloudwatch
    if cloudwatch is None:
        return
    slack = (cloudwatch.slack_workspace_id, cloudwatch.slack_channel_id)
    if (slack[0] is None) != (slack[1] is None):
        missing = "slackChannelId" if slack[1] is None else "slackWorkspaceId"
        yield Problem(
            f"monitoring.cloudwatch.{missing}",
            "is required with the other AWS Chatbot id: set both slackWorkspaceId and slackChannelId, or neither",
        )
    elif cloudwatch.enabled and slack[0] is None and not cloudwatch.emails:
        yield Problem(
            "monitoring.cloudwatch",
            "has enabled true but notifies nobody: set slackWorkspaceId and slackChannelId (AWS Chatbot), "
            "or emails, or set enabled to false",
        )
