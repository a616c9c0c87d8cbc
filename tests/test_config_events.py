"""Event sources, XCom object storage and deferred work: the stack keys, their tier defaults, the
Airflow config they become, and every bad input refused at the key the user wrote."""

from __future__ import annotations

import pytest

from components.config.rules.events import events_overlap
from components.tuning.capacity import capacity_report, capacity_summary
from components.tuning.derive import derive_tuning
from components.values.airflow_config import compose_airflow_config
from components.values.refs import AwsRefs
from components.values.release import ReleaseValues
from tests.support.stacks import names_of, problem_at, shipped_stack, stack

REFS = AwsRefs(
    region="eu-west-1",
    logs_bucket="airflow-prod-logs-123456789012",
    event_queue_urls={"landing-orders": "https://sqs.eu-west-1.amazonaws.com/123456789012/q-orders"},
)
ORDERS = {"name": "orders", "bucket": "example-landing", "prefix": "orders/"}


def airflow_config(cfg, refs=REFS):
    return compose_airflow_config(cfg, derive_tuning(cfg), refs)


@pytest.mark.parametrize(("tier", "deferrable"), [("local", False), ("dev", False), ("staging", True), ("prod", True)])
def test_production_tiers_defer_by_default(tier, deferrable):
    config = airflow_config(stack(tier), REFS if tier != "local" else None)
    assert config["operators"]["default_deferrable"] is deferrable


def test_a_stack_overrides_deferral():
    config = airflow_config(stack("prod", triggerer={"defaultDeferrable": False}))
    assert config["operators"]["default_deferrable"] is False


def test_deferral_is_refused_through_airflow_config():
    message = problem_at(
        "prod",
        "airflow.config.operators.default_deferrable",
        airflow={"config": {"operators": {"default_deferrable": False}}},
    )
    assert "triggerer.defaultDeferrable" in message


@pytest.mark.parametrize("tier", ["staging", "prod"])
def test_large_xcoms_go_to_a_prefix_of_the_logs_bucket_in_staging_and_prod(tier):
    config = airflow_config(stack(tier))
    assert config["core"]["xcom_backend"] == "airflow.providers.common.io.xcom.backend.XComObjectStorageBackend"
    assert config["common.io"] == {
        "xcom_objectstorage_path": "s3://aws_irsa@airflow-prod-logs-123456789012/xcom",
        "xcom_objectstorage_threshold": 1048576,
    }


def test_xcom_path_threshold_and_compression_from_config():
    cfg = stack(
        "dev",
        xcom={"objectStorage": {"enabled": True, "bucket": "team-xcoms", "prefix": "big/xcom", "thresholdBytes": 0,
                                "compression": "gzip"}},
    )  # fmt: skip
    assert airflow_config(cfg)["common.io"] == {
        "xcom_objectstorage_path": "s3://aws_irsa@team-xcoms/big/xcom",
        "xcom_objectstorage_threshold": 0,
        "xcom_objectstorage_compression": "gzip",
    }


def test_dev_keeps_xcoms_in_the_database():
    config = airflow_config(stack("dev"))
    assert "xcom_backend" not in config["core"]
    assert "common.io" not in config


def test_local_tier_object_storage_uses_the_named_bucket_and_the_default_connection():
    cfg = stack("local", xcom={"objectStorage": {"enabled": True, "bucket": "minio-xcoms"}})
    assert airflow_config(cfg, None)["common.io"]["xcom_objectstorage_path"] == "s3://aws_default@minio-xcoms/xcom"


def test_each_queue_url_reaches_every_airflow_container_as_a_variable():
    cfg = shipped_stack("staging", slackWebhookUrl="https://hooks.slack.com/services/T0/B0/x")
    values = ReleaseValues(cfg, names_of(cfg), derive_tuning(cfg)).compose(REFS, {})
    env = {item["name"]: item["value"] for item in values["env"]}
    assert env["AIRFLOW_VAR_EVENT_QUEUE_LANDING_ORDERS"] == REFS.event_queue_urls["landing-orders"]


def test_shipped_staging_declares_one_source():
    cfg = shipped_stack("staging", slackWebhookUrl="https://hooks.slack.com/services/T0/B0/x")
    (source,) = cfg.events.sources
    assert (source.name, source.prefix, source.events) == ("landing-orders", "orders/", ["s3:ObjectCreated:*"])


def test_source_without_a_bucket_is_refused():
    message = problem_at("staging", "events.sources[0].bucket", events={"sources": [{"name": "orders"}]})
    assert "required" in message.lower()


def test_overlapping_sources_on_one_bucket_are_refused():
    sources = [ORDERS, {**ORDERS, "name": "orders-eu", "prefix": "orders/eu/", "events": ["s3:ObjectCreated:Put"]}]
    message = problem_at("staging", "events.sources[1]", events={"sources": sources})
    assert "events.sources[0]" in message
    assert "example-landing" in message
    assert "S3 refuses" in message


@pytest.mark.parametrize(
    "second",
    [
        {**ORDERS, "name": "returns", "prefix": "returns/"},  # other prefix
        {**ORDERS, "name": "deletes", "events": ["s3:ObjectRemoved:*"]},  # other events
        {**ORDERS, "name": "other-bucket", "bucket": "example-archive"},
    ],
)
def test_sources_that_do_not_overlap_are_accepted(second):
    assert len(stack("staging", events={"sources": [ORDERS, second]}).events.sources) == 2


def test_event_types_overlap_through_wildcards():
    assert events_overlap("s3:ObjectCreated:*", "s3:ObjectCreated:Put")
    assert events_overlap("s3:ObjectCreated:Put", "s3:ObjectCreated:Put")
    assert not events_overlap("s3:ObjectCreated:Put", "s3:ObjectCreated:Copy")
    assert not events_overlap("s3:ObjectCreated:*", "s3:ObjectRemoved:Delete")


def test_two_sources_of_one_name_are_refused():
    sources = [ORDERS, {**ORDERS, "prefix": "x/"}]
    assert "already the name of events.sources[0]" in problem_at(
        "staging", "events.sources[1].name", events={"sources": sources}
    )


def test_a_source_name_that_cannot_name_a_queue_is_refused():
    message = problem_at("staging", "events.sources[0].name", events={"sources": [{**ORDERS, "name": "Bad_Name"}]})
    assert "pattern" in message


def test_sources_on_two_suffixes_of_one_prefix_are_accepted():
    csv, parquet = ({**ORDERS, "name": kind, "suffix": f".{kind}"} for kind in ("csv", "parquet"))
    assert len(stack("staging", events={"sources": [csv, parquet]}).events.sources) == 2


def test_bad_bucket_name_is_refused():
    message = problem_at("staging", "events.sources[0].bucket", events={"sources": [{**ORDERS, "bucket": "Bad..Name"}]})
    assert "must be an S3 bucket name" in message


def test_unknown_event_type_is_refused():
    message = problem_at(
        "staging", "events.sources[0].events[0]", events={"sources": [{**ORDERS, "events": ["s3:ObjectCreated"]}]}
    )
    assert "s3:ObjectCreated:*" in message


def test_local_tier_has_no_event_sources():
    message = problem_at("local", "events.sources", events={"sources": [ORDERS]})
    assert "local tier" in message


def test_negative_xcom_threshold_is_refused():
    message = problem_at("prod", "xcom.objectStorage.thresholdBytes", xcom={"objectStorage": {"thresholdBytes": -1}})
    assert "greater than or equal to 0" in message


def test_local_object_storage_without_a_bucket_is_refused():
    message = problem_at("local", "xcom.objectStorage.bucket", xcom={"objectStorage": {"enabled": True}})
    assert "local tier" in message
    assert "xcom.objectStorage.enabled" in message


def test_deferred_peak_beyond_triggerers_with_one_down_is_refused():
    # 2 triggerers × 100: with one down, 100 remain for a peak of 150.
    message = problem_at("prod", "workload.peakDeferredTasks", workload={"peakDeferredTasks": 150},
                         triggerer={"capacity": 100})  # fmt: skip
    assert "150" in message
    assert "100" in message
    assert "triggerer.replicas 2" in message


def test_deferred_peak_within_one_triggerer_down_is_accepted():
    assert stack("prod", workload={"peakDeferredTasks": 100}, triggerer={"capacity": 100})


def test_capacity_report_shows_deferred_work_with_one_triggerer_down():
    cfg = stack("prod", workload={"peakDeferredTasks": 250}, triggerer={"replicas": 3, "capacity": 200})
    report = capacity_report(cfg, derive_tuning(cfg))
    assert report["deferred"] == {
        "peakDeferredTasks": 250,
        "triggerers": 3,
        "capacityPerTriggerer": 200,
        "total": 600,
        "withOneTriggererDown": 400,
    }
    assert any(
        line.startswith("deferred tasks: 400 with one triggerer down, 600 in all") for line in capacity_summary(report)
    )


def test_xcoms_in_the_logs_bucket_keep_out_of_the_task_logs_prefix():
    message = problem_at("prod", "xcom.objectStorage.prefix", xcom={"objectStorage": {"prefix": "logs/xcom"}})
    assert "task logs" in message
