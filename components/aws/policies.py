"""IAM policy documents of the data plane, as plain dicts: pure, so tests read them directly.

Every statement names its resources exactly (a bucket prefix, a Secrets Manager prefix, one KMS
key); none grants ``"Resource": "*"``. KMS permissions are further limited with
``kms:ViaService``, so a role can use the key only through S3 or Secrets Manager.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ..config.registry import (
    API_SERVER,
    CELERY_WORKERS,
    DAG_PROCESSOR,
    SCHEDULER,
    SERVICE_ACCOUNT_COMPONENTS,
    TRIGGERER,
    Component,
)

Policy = dict[str, Any]
Statement = dict[str, Any]

VERSION = "2012-10-17"

# Every component with a service account the kit names gets an IRSA role.
IRSA_COMPONENTS: tuple[Component, ...] = SERVICE_ACCOUNT_COMPONENTS
# Components whose pods write task logs, and those that only show them.
LOG_WRITERS: tuple[Component, ...] = (SCHEDULER, TRIGGERER, DAG_PROCESSOR, CELERY_WORKERS)
LOG_READERS: tuple[Component, ...] = (API_SERVER,)
# Components that look up connections, variables and config in the secrets backend.
SECRETS_READERS: tuple[Component, ...] = SERVICE_ACCOUNT_COMPONENTS
# Components that load DAG code from an S3 DAG bundle: the dag-processor parses it, and
# workers and the triggerer import it to run tasks and triggers.
DAG_BUNDLE_READERS: tuple[Component, ...] = (DAG_PROCESSOR, CELERY_WORKERS, TRIGGERER)
# The triggerer runs the asset watchers' MessageQueueTrigger: it alone reads the event queues.
EVENT_QUEUE_READERS: tuple[Component, ...] = (TRIGGERER,)
# Components that run tasks, and so push and pull XComs: the Celery workers, whose service
# account KubernetesExecutor task pods use too.
XCOM_USERS: tuple[Component, ...] = (CELERY_WORKERS,)
# What a MessageQueueTrigger (SqsSensorTrigger) does with its queue: poll, acknowledge, and read
# the queue's attributes. Nothing else (no sqs:*, no SendMessage).
EVENT_QUEUE_ACTIONS = ("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes")


@dataclass(frozen=True)
class XComAccess:
    """Read and write access to the XComs under ``prefix/`` of ``bucket``; ``key_arn`` is the
    bucket's KMS key when the kit owns it (a bucket of your own: its key policy decides)."""

    bucket: str
    prefix: str
    key_arn: str | None


@dataclass(frozen=True)
class SecretsAccess:
    """Read access to the secrets backend's Secrets Manager prefixes, and the key that encrypts them."""

    prefixes: tuple[str, ...]
    key_arn: str


RDS_ENHANCED_MONITORING_POLICY = "iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"


def document(statements: Iterable[Statement]) -> Policy:
    return {"Version": VERSION, "Statement": list(statements)}


def oidc_provider_arn(partition: str, account_id: str, issuer_url: str) -> str:
    return f"arn:{partition}:iam::{account_id}:oidc-provider/{issuer_host(issuer_url)}"


def issuer_host(issuer_url: str) -> str:
    """The issuer as IAM condition keys spell it: without ``https://``."""
    return issuer_url.removeprefix("https://")


def irsa_trust_policy(provider_arn: str, issuer_url: str, namespace: str, service_account: str) -> Policy:
    """Only this one service account in this one namespace may assume the role."""
    host = issuer_host(issuer_url)
    return document(
        [
            {
                "Effect": "Allow",
                "Principal": {"Federated": provider_arn},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {
                    "StringEquals": {
                        f"{host}:sub": f"system:serviceaccount:{namespace}:{service_account}",
                        f"{host}:aud": "sts.amazonaws.com",
                    }
                },
            }
        ]
    )


def service_trust_policy(service: str) -> Policy:
    """Trust of a role that an AWS service assumes (RDS enhanced monitoring)."""
    return document([{"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}])


def logs_statements(
    partition: str, region: str, bucket: str, prefix: str, key_arn: str, *, write: bool
) -> list[Statement]:
    """Task logs under ``prefix/`` of the bucket: read (and write) objects, list only that prefix."""
    object_actions = ["s3:GetObject", "s3:PutObject"] if write else ["s3:GetObject"]
    key_actions = ["kms:Decrypt", "kms:GenerateDataKey"] if write else ["kms:Decrypt"]
    return [
        {
            "Sid": "TaskLogObjects",
            "Effect": "Allow",
            "Action": object_actions,
            "Resource": f"arn:{partition}:s3:::{bucket}/{prefix}/*",
        },
        {
            "Sid": "TaskLogListing",
            "Effect": "Allow",
            "Action": ["s3:ListBucket"],
            "Resource": f"arn:{partition}:s3:::{bucket}",
            "Condition": {"StringLike": {"s3:prefix": [prefix, f"{prefix}/*"]}},
        },
        {
            "Sid": "TaskLogEncryption",
            "Effect": "Allow",
            "Action": key_actions,
            "Resource": key_arn,
            "Condition": {"StringEquals": {"kms:ViaService": f"s3.{region}.amazonaws.com"}},
        },
    ]


def dag_bundle_statements(partition: str, bucket: str, prefix: str) -> list[Statement]:
    """Read-only access to the DAGs under ``prefix`` of the stack's DAG bucket (``dags.s3``).
    A bucket encrypted with a customer-managed KMS key must also let these roles decrypt."""
    prefix = prefix.strip("/")
    return [
        {
            "Sid": "DagBundleObjects",
            "Effect": "Allow",
            "Action": ["s3:GetObject"],
            "Resource": f"arn:{partition}:s3:::{bucket}/{prefix}/*",
        },
        {
            "Sid": "DagBundleListing",
            "Effect": "Allow",
            "Action": ["s3:ListBucket"],
            "Resource": f"arn:{partition}:s3:::{bucket}",
            "Condition": {"StringLike": {"s3:prefix": [prefix, f"{prefix}/*"]}},
        },
    ]


def event_queue_statements(queue_arns: Iterable[str]) -> list[Statement]:
    """Poll and acknowledge the event sources' queues, and only them."""
    return [
        {
            "Sid": "EventQueuesConsume",
            "Effect": "Allow",
            "Action": list(EVENT_QUEUE_ACTIONS),
            "Resource": sorted(queue_arns),
        }
    ]


def xcom_statements(partition: str, region: str, xcom: XComAccess) -> list[Statement]:
    """XComObjectStorageBackend writes, reads and purges objects under the prefix, and lists only it."""
    prefix = xcom.prefix.strip("/")
    statements: list[Statement] = [
        {
            "Sid": "XComObjects",
            "Effect": "Allow",
            "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
            "Resource": f"arn:{partition}:s3:::{xcom.bucket}/{prefix}/*",
        },
        {
            "Sid": "XComListing",
            "Effect": "Allow",
            "Action": ["s3:ListBucket"],
            "Resource": f"arn:{partition}:s3:::{xcom.bucket}",
            "Condition": {"StringLike": {"s3:prefix": [prefix, f"{prefix}/*"]}},
        },
    ]
    if xcom.key_arn is not None:
        statements.append(
            {
                "Sid": "XComEncryption",
                "Effect": "Allow",
                "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
                "Resource": xcom.key_arn,
                "Condition": {"StringEquals": {"kms:ViaService": f"s3.{region}.amazonaws.com"}},
            }
        )
    return statements


def event_queue_policy(queue_arn: str, bucket_arn: str, account_id: str) -> Policy:
    """Only the named bucket of this account may send to the queue (S3's notifications), and only over TLS."""
    return document(
        [
            {
                "Sid": "BucketNotifications",
                "Effect": "Allow",
                "Principal": {"Service": "s3.amazonaws.com"},
                "Action": "sqs:SendMessage",
                "Resource": queue_arn,
                "Condition": {
                    "ArnEquals": {"aws:SourceArn": bucket_arn},
                    "StringEquals": {"aws:SourceAccount": account_id},
                },
            },
            {
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "sqs:*",
                "Resource": queue_arn,
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            },
        ]
    )


def secrets_manager_arn(partition: str, region: str, account_id: str, prefix: str) -> str:
    """Every secret under ``prefix/`` (AWS appends a random suffix to secret ARNs, hence ``*``)."""
    return f"arn:{partition}:secretsmanager:{region}:{account_id}:secret:{prefix.strip('/')}/*"


def secrets_statements(
    partition: str, region: str, account_id: str, prefixes: Iterable[str], key_arn: str
) -> list[Statement]:
    """Read-only access to the secrets backend's prefixes and the key that encrypts them."""
    return [
        {
            "Sid": "SecretsBackendRead",
            "Effect": "Allow",
            "Action": ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
            "Resource": [secrets_manager_arn(partition, region, account_id, prefix) for prefix in prefixes],
        },
        {
            "Sid": "SecretsBackendDecrypt",
            "Effect": "Allow",
            "Action": ["kms:Decrypt"],
            "Resource": key_arn,
            "Condition": {"StringEquals": {"kms:ViaService": f"secretsmanager.{region}.amazonaws.com"}},
        },
    ]


def tls_only_bucket_policy(partition: str, bucket: str) -> Policy:
    """Refuse every request to the bucket that does not come over TLS."""
    return document(
        [
            {
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": [f"arn:{partition}:s3:::{bucket}", f"arn:{partition}:s3:::{bucket}/*"],
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            }
        ]
    )


def service_account_policy(
    component: Component,
    *,
    partition: str,
    region: str,
    account_id: str,
    logs_bucket: str,
    logs_prefix: str,
    logs_key_arn: str,
    secrets: SecretsAccess | None = None,
    dag_bundle: tuple[str, str] | None = None,
    tasks_in_scheduler: bool = False,
    event_queue_arns: tuple[str, ...] = (),
    xcom: XComAccess | None = None,
) -> Policy:
    """The whole inline policy of one component's role: its task-log access, plus the secrets
    backend when Airflow reads it from Secrets Manager, plus the S3 DAG bundle ``(bucket, prefix)``
    when DAGs come from S3, plus the event queues (triggerer) and the XCom prefix (workers)."""
    if component not in IRSA_COMPONENTS:
        allowed = ", ".join(c.chart_key for c in IRSA_COMPONENTS)
        raise ValueError(f"'{component.chart_key}' has no IRSA role; roles exist for {allowed}")
    statements = logs_statements(
        partition, region, logs_bucket, logs_prefix, logs_key_arn, write=component in LOG_WRITERS
    )
    if secrets is not None and secrets.prefixes and component in SECRETS_READERS:
        statements += secrets_statements(partition, region, account_id, secrets.prefixes, secrets.key_arn)
    # With the LocalExecutor the scheduler runs the tasks, and so loads the bundle too.
    bundle_readers = (*DAG_BUNDLE_READERS, SCHEDULER) if tasks_in_scheduler else DAG_BUNDLE_READERS
    if dag_bundle is not None and component in bundle_readers:
        statements += dag_bundle_statements(partition, *dag_bundle)
    if event_queue_arns and component in EVENT_QUEUE_READERS:
        statements += event_queue_statements(event_queue_arns)
    if xcom is not None and component in XCOM_USERS:
        statements += xcom_statements(partition, region, xcom)
    return document(statements)
