"""The monitoring section: tier defaults, and every bad combination refused at the key the stack file sets."""

from __future__ import annotations

import pytest

from tests.support.stacks import problem_at, problems, shipped_stack, stack

SECRETS = {"slackWebhookUrl": "https://hooks.slack.com/services/T0/B0/x", "openlineageApiKey": "k"}


def test_monitoring_is_off_unless_a_stack_turns_it_on():
    for tier in ("local", "dev", "staging", "prod"):
        cfg = stack(tier)
        assert cfg.monitoring.prometheus.enabled is False
        assert cfg.monitoring.cloudwatch is None or cfg.monitoring.cloudwatch.enabled is False


@pytest.mark.parametrize("name", ["staging", "prod"])
def test_the_shipped_staging_and_prod_stacks_turn_both_sides_on(name):
    cfg = shipped_stack(name, **SECRETS)
    assert cfg.monitoring.prometheus.enabled
    assert cfg.monitoring.cloudwatch is not None
    assert cfg.monitoring.cloudwatch.enabled
    assert cfg.monitoring.cloudwatch.slack_channel_id


def test_prod_pages_sooner_and_nearer_the_limits_than_dev():
    prod, dev = stack("prod").monitoring, stack("dev").monitoring
    assert prod.thresholds.queued_minutes < dev.thresholds.queued_minutes
    assert prod.thresholds.pgbouncer_budget_percent < dev.thresholds.pgbouncer_budget_percent
    assert prod.cloudwatch is not None
    assert dev.cloudwatch is not None
    assert prod.cloudwatch.thresholds.database_cpu_percent < dev.cloudwatch.thresholds.database_cpu_percent


def test_a_threshold_override_replaces_the_tier_default_only():
    cfg = stack("prod", monitoring={"thresholds": {"queuedMinutes": 42}})
    assert cfg.monitoring.thresholds.queued_minutes == 42
    assert cfg.monitoring.thresholds.no_free_slots_minutes == stack("prod").monitoring.thresholds.no_free_slots_minutes


def test_prometheus_behind_network_policies_needs_the_monitoring_namespace():
    message = problem_at("prod", "kubernetes.monitoringNamespace", monitoring={"prometheus": {"enabled": True}})
    assert "monitoring.prometheus.enabled" in message


def test_without_network_policies_prometheus_needs_no_namespace():
    cfg = stack("local", monitoring={"prometheus": {"enabled": True}})
    assert cfg.monitoring.prometheus.enabled


def test_alarms_that_notify_nobody_are_refused():
    message = problem_at("dev", "monitoring.cloudwatch", monitoring={"cloudwatch": {"enabled": True}})
    assert "slackWorkspaceId" in message
    assert "emails" in message


def test_half_a_chatbot_channel_is_refused_at_the_missing_key():
    message = problem_at(
        "dev", "monitoring.cloudwatch.slackChannelId", monitoring={"cloudwatch": {"slackWorkspaceId": "T0123ABCDE"}}
    )
    assert "slackWorkspaceId" in message


def test_email_subscriptions_alone_are_enough():
    cfg = stack("dev", monitoring={"cloudwatch": {"enabled": True, "emails": ["oncall@example.com"]}})
    assert cfg.monitoring.cloudwatch is not None
    assert cfg.monitoring.cloudwatch.emails == ["oncall@example.com"]


def test_cloudwatch_is_refused_in_the_local_tier():
    message = problem_at("local", "monitoring.cloudwatch", monitoring={"cloudwatch": {"enabled": False}})
    assert "'local' tier" in message


@pytest.mark.parametrize(
    ("section", "key"),
    [
        ({"thresholds": {"poolSaturationPercent": 120}}, "monitoring.thresholds.poolSaturationPercent"),
        ({"prometheus": {"enabled": True, "labels": {"release": "not a label"}}}, "monitoring.prometheus.labels"),
        ({"cloudwatch": {"slackChannelId": "#alerts", "slackWorkspaceId": "T0123ABCDE"}}, None),
        ({"cloudwatch": {"emails": ["not-an-address"]}}, None),
    ],
)
def test_bad_values_are_refused_at_their_key(section, key):
    found = problems("dev", monitoring=section)
    keys = [where for where, _ in found]
    if key is not None:
        assert key in keys, found
    else:
        assert all(where.startswith("monitoring.cloudwatch") for where in keys), found
