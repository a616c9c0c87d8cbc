"""Event sources: per source an SQS queue with a dead-letter queue, a queue policy admitting only
its bucket's notifications, and the bucket's S3 event notification.

S3 keeps one notification configuration per bucket, so the kit writes one per bucket, holding
every source of that bucket: a notification set on the same bucket elsewhere (the console,
another stack) is replaced. Queues use SQS-managed encryption (SSE-SQS), which S3 can publish to
without a KMS key policy. The triggerer reads the queues (``policies.event_queue_statements``).
"""

from __future__ import annotations

import json
from collections import defaultdict

import pulumi
import pulumi_aws as aws

from ..config.sections.events import EventSource
from ..naming.aws import AwsNames
from .policies import event_queue_policy

# A notification the triggerer could not handle waits here for two weeks (SQS's longest).
DEAD_LETTER_RETENTION_SECONDS = 1_209_600
# Long polling: the trigger's ReceiveMessage waits for messages instead of returning empty at once.
RECEIVE_WAIT_SECONDS = 20


class EventSources(pulumi.ComponentResource):
    def __init__(
        self,
        name: str,
        sources: tuple[EventSource, ...],
        aws_names: AwsNames,
        *,
        account_id: pulumi.Input[str],
        partition: pulumi.Input[str],
        opts: pulumi.ResourceOptions,
    ):
        super().__init__("airflow-ha:aws:EventSources", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)

        self.queue_urls: dict[str, pulumi.Output[str]] = {}
        self.queue_arns: dict[str, pulumi.Output[str]] = {}
        by_bucket: dict[str, list[tuple[EventSource, aws.sqs.Queue, aws.sqs.QueuePolicy]]] = defaultdict(list)
        for source in sources:
            dead_letters = aws.sqs.Queue(
                f"{name}-{source.name}-dlq",
                name=aws_names.event_dead_letter_queue(source.name),
                sqs_managed_sse_enabled=True,
                message_retention_seconds=DEAD_LETTER_RETENTION_SECONDS,
                opts=child,
            )
            queue = aws.sqs.Queue(
                f"{name}-{source.name}",
                name=aws_names.event_queue(source.name),
                sqs_managed_sse_enabled=True,
                message_retention_seconds=source.message_retention_seconds,
                receive_wait_time_seconds=RECEIVE_WAIT_SECONDS,
                redrive_policy=dead_letters.arn.apply(
                    lambda arn, source=source: json.dumps(
                        {"deadLetterTargetArn": arn, "maxReceiveCount": source.max_receive_count}
                    )
                ),
                opts=child,
            )
            bucket_arn = pulumi.Output.concat("arn:", partition, ":s3:::", source.bucket)
            queue_policy = aws.sqs.QueuePolicy(
                f"{name}-{source.name}-policy",
                queue_url=queue.url,
                policy=pulumi.Output.json_dumps(
                    pulumi.Output.all(queue.arn, bucket_arn, account_id).apply(
                        lambda parts: event_queue_policy(parts[0], parts[1], parts[2])
                    )
                ),
                opts=child,
            )
            by_bucket[source.bucket].append((source, queue, queue_policy))
            self.queue_urls[source.name] = queue.url
            self.queue_arns[source.name] = queue.arn

        for bucket, entries in sorted(by_bucket.items()):
            aws.s3.BucketNotification(
                f"{name}-{bucket}-notification",
                bucket=bucket,
                queues=[
                    aws.s3.BucketNotificationQueueArgs(
                        id=f"airflow-{source.name}",
                        queue_arn=queue.arn,
                        events=list(source.events),
                        filter_prefix=source.prefix or None,
                        filter_suffix=source.suffix or None,
                    )
                    for source, queue, _ in entries
                ],
                # S3 checks, when the notification is written, that each queue admits it.
                opts=pulumi.ResourceOptions(parent=self, depends_on=[policy for _, _, policy in entries]),
            )
        self.register_outputs({"queueUrls": self.queue_urls})
