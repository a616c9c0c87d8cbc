"""Event sources and XCom object storage under Pulumi's mock engine: the queues, their policies,
the bucket notifications and the IAM statements of every shipped stack that declares sources,
and of a stack with two sources on one bucket; least privilege throughout."""

from __future__ import annotations

import json

import pytest

from components.plan.standins.aws import ACCOUNT_ID
from tests.support.identity import shipped_plan
from tests.support.paths import SHIPPED_STACKS
from tests.support.programs import policy, run_data_plane
from tests.support.stacks import shipped

QUEUE = "aws:sqs/queue:Queue"
QUEUE_POLICY = "aws:sqs/queuePolicy:QueuePolicy"
NOTIFICATION = "aws:s3/bucketNotification:BucketNotification"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
LIFECYCLE = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"
CONSUMER_ACTIONS = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"]

STACKS_WITH_SOURCES = [name for name in SHIPPED_STACKS if shipped(name).values.get("airflow-ha:events")]
TWO_SOURCES = {
    "sources": [
        {"name": "orders", "bucket": "example-landing", "prefix": "orders/"},
        {"name": "returns", "bucket": "example-landing", "prefix": "returns/", "suffix": ".csv",
         "events": ["s3:ObjectCreated:Put", "s3:ObjectCreated:CompleteMultipartUpload"]},
        {"name": "archive", "bucket": "example-archive", "events": ["s3:ObjectRemoved:*"], "maxReceiveCount": 3},
    ]
}  # fmt: skip


def queue_arn(queue_name: str) -> str:
    return f"arn:aws:sqs:eu-west-1:{ACCOUNT_ID}:{queue_name}"


def statements(registrations, key: str = "policy") -> list[dict]:
    found = []
    for registration in registrations:
        found += policy(registration, key)["Statement"]
    return found


def as_list(value) -> list:
    return value if isinstance(value, list) else [value]


@pytest.fixture(scope="module")
def shipped_plans():
    return {name: shipped_plan(name) for name in STACKS_WITH_SOURCES}


@pytest.fixture(scope="module")
def two_sources():
    return run_data_plane("prod", "lake", events=TWO_SOURCES)


def test_the_shipped_staging_stack_declares_sources():
    assert "staging" in STACKS_WITH_SOURCES


def test_every_declared_source_has_an_encrypted_queue_and_dead_letter_queue(shipped_plans):
    for stack_name, plan in shipped_plans.items():
        cfg = plan.config
        queues = {r.inputs["name"]: r.inputs for r in plan.resources if r.type == QUEUE}
        for source in cfg.events.sources:
            queue = queues[f"airflow-{stack_name}-events-{source.name}"]
            dead_letters = queues[f"airflow-{stack_name}-events-{source.name}-dlq"]
            assert queue["sqsManagedSseEnabled"] is True
            assert dead_letters["sqsManagedSseEnabled"] is True
            assert json.loads(queue["redrivePolicy"]) == {
                "deadLetterTargetArn": queue_arn(f"airflow-{stack_name}-events-{source.name}-dlq"),
                "maxReceiveCount": source.max_receive_count,
            }
            assert queue["messageRetentionSeconds"] == source.message_retention_seconds
            assert dead_letters["messageRetentionSeconds"] == 14 * 24 * 3600


def test_queue_policies_admit_only_their_buckets_notifications(two_sources):
    policies = {r.name: policy(r) for r in two_sources.of_type(QUEUE_POLICY)}
    assert set(policies) == {f"lake-aws-events-{name}-policy" for name in ("orders", "returns", "archive")}
    for name, bucket in (("orders", "example-landing"), ("returns", "example-landing"), ("archive", "example-archive")):
        allow, deny = policies[f"lake-aws-events-{name}-policy"]["Statement"]
        assert allow == {
            "Sid": "BucketNotifications",
            "Effect": "Allow",
            "Principal": {"Service": "s3.amazonaws.com"},
            "Action": "sqs:SendMessage",
            "Resource": queue_arn(f"airflow-lake-events-{name}"),
            "Condition": {
                "ArnEquals": {"aws:SourceArn": f"arn:aws:s3:::{bucket}"},
                "StringEquals": {"aws:SourceAccount": ACCOUNT_ID},
            },
        }
        assert deny["Effect"] == "Deny"
        assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_one_notification_per_bucket_holding_each_of_its_sources(two_sources):
    notifications = {r.inputs["bucket"]: r for r in two_sources.of_type(NOTIFICATION)}
    assert set(notifications) == {"example-landing", "example-archive"}
    landing = {queue["id"]: queue for queue in notifications["example-landing"].inputs["queues"]}
    assert landing["airflow-orders"] == {
        "id": "airflow-orders",
        "queueArn": queue_arn("airflow-lake-events-orders"),
        "events": ["s3:ObjectCreated:*"],
        "filterPrefix": "orders/",
    }
    assert landing["airflow-returns"] == {
        "id": "airflow-returns",
        "queueArn": queue_arn("airflow-lake-events-returns"),
        "events": ["s3:ObjectCreated:Put", "s3:ObjectCreated:CompleteMultipartUpload"],
        "filterPrefix": "returns/",
        "filterSuffix": ".csv",
    }
    (archive,) = notifications["example-archive"].inputs["queues"]
    assert archive["events"] == ["s3:ObjectRemoved:*"]
    assert "filterPrefix" not in archive
    # S3 verifies the queue policies when the notification is written.
    assert set(notifications["example-landing"].depends_on) >= {
        "lake-aws-events-orders-policy",
        "lake-aws-events-returns-policy",
    }


def test_only_the_triggerer_reads_the_queues_and_only_those(two_sources):
    by_role = {r.name.removeprefix("lake-aws-irsa-").removesuffix("-access"): policy(r)
               for r in two_sources.of_type(ROLE_POLICY) if r.name.startswith("lake-aws-irsa-")}  # fmt: skip
    consumers = {
        role: statement
        for role, document in by_role.items()
        for statement in document["Statement"]
        if any(action.startswith("sqs:") for action in as_list(statement["Action"]))
    }
    assert set(consumers) == {"triggerer"}
    assert consumers["triggerer"]["Action"] == CONSUMER_ACTIONS
    assert consumers["triggerer"]["Resource"] == sorted(
        queue_arn(f"airflow-lake-events-{name}") for name in ("orders", "returns", "archive")
    )


@pytest.mark.parametrize("where", ["shipped", "two sources"])
def test_no_statement_grants_sqs_wildcards_or_every_resource(where, shipped_plans, two_sources):
    if where == "shipped":
        registrations = [r for plan in shipped_plans.values() for r in plan.resources]
    else:
        registrations = two_sources.run.registrations
    documents = [r for r in registrations if r.type in (ROLE_POLICY, QUEUE_POLICY)]
    assert documents
    for statement in statements(documents):
        if statement["Effect"] != "Allow":
            continue
        assert "*" not in as_list(statement["Resource"]), statement
        assert not {"sqs:*", "*"} & set(as_list(statement["Action"])), statement


def test_workers_alone_read_and_write_the_xcom_prefix(two_sources):
    xcom = {
        r.name: [s for s in policy(r)["Statement"] if s.get("Sid", "").startswith("XCom")]
        for r in two_sources.of_type(ROLE_POLICY)
        if r.name.startswith("lake-aws-irsa-")
    }
    assert {name for name, found in xcom.items() if found} == {"lake-aws-irsa-workers-access"}
    objects, listing, encryption = xcom["lake-aws-irsa-workers-access"]
    assert objects["Action"] == ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
    assert objects["Resource"] == "arn:aws:s3:::airflow-lake-logs-123456789012/xcom/*"
    assert listing["Condition"] == {"StringLike": {"s3:prefix": ["xcom", "xcom/*"]}}
    assert encryption["Condition"] == {"StringEquals": {"kms:ViaService": "s3.eu-west-1.amazonaws.com"}}


def test_xcoms_expire_by_their_own_rule_and_task_logs_by_theirs(two_sources):
    rules = {rule["id"]: rule for rule in two_sources.one(LIFECYCLE).inputs["rules"]}
    assert rules["expire-xcoms"]["filter"] == {"prefix": "xcom/"}
    assert rules["expire-xcoms"]["expiration"] == {"days": 30}
    assert rules["expire-task-logs"]["filter"] == {"prefix": "logs/"}


def test_a_bucket_of_your_own_gets_no_kit_lifecycle_and_no_kms_grant():
    plane = run_data_plane("prod", "own", xcom={"objectStorage": {"bucket": "team-xcoms", "prefix": "runs"}})
    rules = {rule["id"] for rule in plane.one(LIFECYCLE).inputs["rules"]}
    assert "expire-xcoms" not in rules
    workers = next(r for r in plane.of_type(ROLE_POLICY) if r.name == "own-aws-irsa-workers-access")
    xcom = [s for s in policy(workers)["Statement"] if s["Sid"].startswith("XCom")]
    assert [s["Sid"] for s in xcom] == ["XComObjects", "XComListing"]
    assert xcom[0]["Resource"] == "arn:aws:s3:::team-xcoms/runs/*"


def test_stacks_without_sources_have_no_queues():
    plane = run_data_plane("dev")
    assert plane.of_type(QUEUE) == []
    assert plane.of_type(NOTIFICATION) == []
    assert not any("sqs:" in json.dumps(policy(r)) for r in plane.of_type(ROLE_POLICY))


def test_the_queue_urls_reach_the_kubernetes_layer(two_sources):
    from tests.support.programs import resolved

    urls = {name: resolved(url) for name, url in two_sources.outputs.event_queue_urls.items()}
    assert urls == {
        name: f"https://sqs.eu-west-1.amazonaws.com/{ACCOUNT_ID}/airflow-lake-events-{name}"
        for name in ("orders", "returns", "archive")
    }
