"""CloudWatch alarms under the mock engine: the shipped stacks' real program, as `pulumi up` would
register it. Each alarm watches the kit's own database instance or broker node, with the tier's
threshold applied to the kit's own figures, and notifies the encrypted topic."""

from __future__ import annotations

import json
from functools import cache

import pytest

from components.config.sections.monitoring import CloudwatchThresholds
from components.config.stackfile import StackFile
from components.naming.aws import AwsNames
from components.plan.runner import Plan, plan_stack
from components.tuning.connection_budget import database_limit
from components.tuning.rds_instances import GIB, INSTANCE_MEMORY_GIB
from tests.support.stacks import raw_values, secret_keys_of, shipped

ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
TOPIC = "aws:sns/topic:Topic"
KEY = "aws:kms/key:Key"
CHATBOT = "aws:chatbot/slackChannelConfiguration:SlackChannelConfiguration"
SUBSCRIPTION = "aws:sns/topicSubscription:TopicSubscription"
RDS = "aws:rds/instance:Instance"
REDIS = "aws:elasticache/replicationGroup:ReplicationGroup"


@cache
def shipped_plan(name: str) -> Plan:
    return plan_stack(shipped(name))


def of_type(plan: Plan, token: str) -> list:
    return [r for r in plan.resources if r.type == token]


def alarms_by_metric(plan: Plan) -> dict[tuple[str, str], list]:
    found: dict[tuple[str, str], list] = {}
    for alarm in of_type(plan, ALARM):
        found.setdefault((alarm.inputs["namespace"], alarm.inputs["metricName"]), []).append(alarm)
    return found


def thresholds(plan: Plan) -> CloudwatchThresholds:
    cloudwatch = plan.config.monitoring.cloudwatch
    assert cloudwatch is not None
    return cloudwatch.thresholds


@pytest.mark.parametrize("name", ["staging", "prod"])
def test_every_alarm_notifies_the_kits_encrypted_topic(name):
    plan = shipped_plan(name)
    [topic] = of_type(plan, TOPIC)
    topic_arn = f"arn:aws:sns:eu-west-1:123456789012:{topic.name}"
    [key] = [k for k in of_type(plan, KEY) if k.name.endswith("alarms-key")]
    assert f":key/{key.name}-" in topic.inputs["kmsMasterKeyId"]  # the alarm key's ARN, not an AWS-managed key
    alarms = of_type(plan, ALARM)
    assert len(alarms) >= 8
    for alarm in alarms:
        assert alarm.inputs["alarmActions"] == [topic_arn], alarm.name
        assert alarm.inputs["okActions"] == [topic_arn]
        # An eviction alarms at once; everything else must last three five-minute periods.
        expected = 1 if alarm.inputs["metricName"] == "Evictions" else 3
        assert (alarm.inputs["period"], alarm.inputs["evaluationPeriods"]) == (300, expected), alarm.name


@pytest.mark.parametrize("name", ["staging", "prod"])
def test_cloudwatch_may_encrypt_with_the_topics_key(name):
    plan = shipped_plan(name)
    [key] = [k for k in of_type(plan, KEY) if k.name.endswith("alarms-key")]
    statements = json.loads(key.inputs["policy"])["Statement"]
    publishers = [s for s in statements if s.get("Principal", {}).get("Service") == "cloudwatch.amazonaws.com"]
    assert publishers
    assert set(publishers[0]["Action"]) == {"kms:Decrypt", "kms:GenerateDataKey*"}
    assert key.inputs["enableKeyRotation"] is True


@pytest.mark.parametrize("name", ["staging", "prod"])
def test_database_alarms_watch_the_kits_instance_with_the_tiers_thresholds(name):
    plan = shipped_plan(name)
    cfg = plan.config
    db = cfg.database
    assert db is not None
    t = thresholds(plan)
    [instance] = of_type(plan, RDS)
    by_metric = alarms_by_metric(plan)
    for metric in ("CPUUtilization", "FreeStorageSpace", "FreeableMemory", "DatabaseConnections"):
        [alarm] = by_metric[("AWS/RDS", metric)]
        assert alarm.inputs["dimensions"] == {"DBInstanceIdentifier": instance.inputs["identifier"]}
    cpu = by_metric[("AWS/RDS", "CPUUtilization")][0].inputs
    assert (cpu["comparisonOperator"], cpu["threshold"]) == ("GreaterThanThreshold", t.database_cpu_percent)
    storage = by_metric[("AWS/RDS", "FreeStorageSpace")][0].inputs
    assert storage["comparisonOperator"] == "LessThanThreshold"
    assert storage["threshold"] == pytest.approx(db.allocated_storage_gb * GIB * t.database_free_storage_percent / 100)
    memory = by_metric[("AWS/RDS", "FreeableMemory")][0].inputs
    assert memory["threshold"] == pytest.approx(
        INSTANCE_MEMORY_GIB[db.instance_class] * GIB * t.database_freeable_memory_percent / 100
    )
    connections = by_metric[("AWS/RDS", "DatabaseConnections")][0].inputs
    budget = database_limit(cfg).available
    assert budget is not None
    assert connections["threshold"] == pytest.approx(budget * t.database_connections_percent / 100)


@pytest.mark.parametrize("name", ["staging", "prod"])
def test_broker_alarms_watch_every_node_of_the_kits_replication_group(name):
    plan = shipped_plan(name)
    t = thresholds(plan)
    [group] = of_type(plan, REDIS)
    nodes = {f"{group.inputs['replicationGroupId']}-{i:03d}" for i in range(1, group.inputs["numCacheClusters"] + 1)}
    by_metric = alarms_by_metric(plan)
    expected = {
        "DatabaseMemoryUsagePercentage": t.redis_memory_percent,
        "Evictions": t.redis_evictions,
        "EngineCPUUtilization": t.redis_cpu_percent,
        "ReplicationLag": t.redis_replication_lag_seconds,
    }
    for metric, threshold in expected.items():
        alarms = by_metric[("AWS/ElastiCache", metric)]
        assert {a.inputs["dimensions"]["CacheClusterId"] for a in alarms} == nodes, metric
        assert {a.inputs["threshold"] for a in alarms} == {threshold}
    lag = by_metric[("AWS/ElastiCache", "ReplicationLag")]
    assert {a.inputs["treatMissingData"] for a in lag} == {"notBreaching"}  # the primary publishes none


def test_prod_alarms_sooner_than_staging():
    prod, staging = thresholds(shipped_plan("prod")), thresholds(shipped_plan("staging"))
    assert prod.database_cpu_percent < staging.database_cpu_percent
    assert prod.redis_replication_lag_seconds < staging.redis_replication_lag_seconds


@pytest.mark.parametrize("name", ["staging", "prod"])
def test_slack_through_chatbot_with_a_role_it_can_assume(name):
    plan = shipped_plan(name)
    cloudwatch = plan.config.monitoring.cloudwatch
    assert cloudwatch is not None
    [channel] = of_type(plan, CHATBOT)
    [topic] = of_type(plan, TOPIC)
    assert channel.inputs["slackTeamId"] == cloudwatch.slack_workspace_id
    assert channel.inputs["slackChannelId"] == cloudwatch.slack_channel_id
    assert channel.inputs["snsTopicArns"] == [f"arn:aws:sns:eu-west-1:123456789012:{topic.name}"]
    [role] = [r for r in plan.resources if r.type == "aws:iam/role:Role" and r.name.endswith("alarms-chatbot")]
    trust = json.loads(role.inputs["assumeRolePolicy"])
    assert trust["Statement"][0]["Principal"] == {"Service": "chatbot.amazonaws.com"}
    assert channel.inputs["iamRoleArn"].endswith(f"role/{role.inputs['name']}")
    assert channel.inputs["guardrailPolicyArns"] == ["arn:aws:iam::aws:policy/CloudWatchReadOnlyAccess"]


def _plan(tier: str, **sections) -> Plan:
    values = raw_values(tier, **sections)
    return plan_stack(StackFile("alarmtest", values, frozenset(secret_keys_of(values))))


def test_email_subscribers_instead_of_slack():
    plan = _plan("dev", monitoring={"cloudwatch": {"enabled": True, "emails": ["a@example.com", "b@example.com"]}})
    assert not of_type(plan, CHATBOT)
    subscriptions = of_type(plan, SUBSCRIPTION)
    assert sorted(s.inputs["endpoint"] for s in subscriptions) == ["a@example.com", "b@example.com"]
    assert {s.inputs["protocol"] for s in subscriptions} == {"email"}


def test_a_kubernetes_executor_stack_has_no_broker_alarms_and_dev_default_has_none_at_all():
    assert not of_type(plan_stack(shipped("dev")), ALARM)
    plan = _plan("dev", monitoring={"cloudwatch": {"enabled": True, "emails": ["a@example.com"]}})
    namespaces = {alarm.inputs["namespace"] for alarm in of_type(plan, ALARM)}
    assert namespaces == {"AWS/RDS"}


def test_alarm_names_are_the_kits_pinned_names():
    plan = shipped_plan("prod")
    names = AwsNames(plan.config.kubernetes.release_name, plan.config.stack, "16")
    assert {a.inputs["name"] for a in of_type(plan, ALARM)} >= {f"{names.database}-cpu", f"{names.broker}-001-memory"}
