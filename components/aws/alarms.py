"""CloudWatch alarms on the metadata database and the broker, to an encrypted SNS topic that
reaches Slack through AWS Chatbot, or email.

The topic is encrypted with a key of its own: CloudWatch can publish to an encrypted topic only
when the key policy lets ``cloudwatch.amazonaws.com`` use the key, which an AWS-managed key
(``alias/aws/sns``) never does and the data plane's key (whose policy leaves everything to IAM)
does not. AWS Chatbot needs the Slack workspace authorized once in its console before the channel
configuration can be created (docs/runbooks/alerts.md).
"""

from __future__ import annotations

import json
from typing import Any

import pulumi
import pulumi_aws as aws

from ..args import AlarmsArgs
from ..seams import AlarmTargets
from ..values.monitoring.cloudwatch import PERIOD_SECONDS
from .policies import VERSION, service_trust_policy

CLOUDWATCH_SERVICE = "cloudwatch.amazonaws.com"
CHATBOT_SERVICE = "chatbot.amazonaws.com"
# What Chatbot may do from the channel: read CloudWatch, to show the alarm's graph. Nothing else.
CHATBOT_GUARDRAIL_POLICY = "iam::aws:policy/CloudWatchReadOnlyAccess"


def topic_key_policy(partition: str, account_id: str) -> dict[str, Any]:
    """The account administers the key (through IAM); CloudWatch may encrypt what it publishes."""
    return {
        "Version": VERSION,
        "Statement": [
            {
                "Sid": "AccountAdministersThroughIam",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:{partition}:iam::{account_id}:root"},
                "Action": "kms:*",
                "Resource": "*",
            },
            {
                "Sid": "CloudWatchPublishesAlarms",
                "Effect": "Allow",
                "Principal": {"Service": CLOUDWATCH_SERVICE},
                "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:SourceAccount": account_id}},
            },
        ],
    }


class DataStoreAlarms(pulumi.ComponentResource):
    def __init__(self, name: str, args: AlarmsArgs, targets: AlarmTargets, opts: pulumi.ResourceOptions | None = None):
        super().__init__("airflow-ha:aws:Alarms", name, None, opts)
        child = pulumi.ResourceOptions(parent=self, provider=targets.provider)
        names = args.names

        key = aws.kms.Key(
            f"{name}-key",
            description=f"Alarm topic of {names.base}",
            enable_key_rotation=True,
            deletion_window_in_days=30,
            policy=pulumi.Output.all(targets.partition, targets.account_id).apply(
                lambda parts: json.dumps(topic_key_policy(*parts))
            ),
            opts=child,
        )
        aws.kms.Alias(f"{name}-key-alias", name=f"alias/{names.alarms}", target_key_id=key.key_id, opts=child)
        self.topic = aws.sns.Topic(
            f"{name}-topic", name=names.alarms, kms_master_key_id=key.arn, tags=dict(args.tags), opts=child
        )

        for spec in args.alarms:
            aws.cloudwatch.MetricAlarm(
                f"{name}-{spec.name.removeprefix(names.base + '-')}",
                name=spec.name,
                alarm_description=spec.description,
                namespace=spec.namespace,
                metric_name=spec.metric,
                dimensions=dict(spec.dimensions),
                statistic=spec.statistic,
                period=PERIOD_SECONDS,
                evaluation_periods=spec.evaluation_periods,
                comparison_operator=spec.comparison,
                threshold=spec.threshold,
                treat_missing_data=spec.missing_data,
                alarm_actions=[self.topic.arn],
                ok_actions=[self.topic.arn],
                tags=dict(args.tags),
                opts=child,
            )

        for index, email in enumerate(args.emails):
            aws.sns.TopicSubscription(
                f"{name}-email-{index}", topic=self.topic.arn, protocol="email", endpoint=email, opts=child
            )

        if args.slack is not None:
            role = aws.iam.Role(
                f"{name}-chatbot",
                name=names.chatbot_role,
                assume_role_policy=pulumi.Output.json_dumps(service_trust_policy(CHATBOT_SERVICE)),
                tags=dict(args.tags),
                opts=child,
            )
            guardrail = pulumi.Output.concat("arn:", targets.partition, ":", CHATBOT_GUARDRAIL_POLICY)
            aws.iam.RolePolicyAttachment(f"{name}-chatbot-read", role=role.name, policy_arn=guardrail, opts=child)
            aws.chatbot.SlackChannelConfiguration(
                f"{name}-slack",
                configuration_name=names.alarms,
                iam_role_arn=role.arn,
                slack_team_id=args.slack.workspace_id,
                slack_channel_id=args.slack.channel_id,
                sns_topic_arns=[self.topic.arn],
                guardrail_policy_arns=[guardrail],
                logging_level="ERROR",
                tags=dict(args.tags),
                opts=child,
            )

        self.topic_arn: pulumi.Output[str] = self.topic.arn
        self.register_outputs({"topicArn": self.topic_arn})
