"""The effective Airflow config: fragments merge, conflicts are kit bugs, the stack has the last word."""

from __future__ import annotations

import pytest

from components.tuning.derive import derive_tuning
from components.values.airflow_config import compose_airflow_config, merge_fragments
from components.values.refs import AwsRefs
from tests.support.stacks import stack


def compose(**sections):
    cfg = stack("prod", "s", **sections)
    return compose_airflow_config(cfg, derive_tuning(cfg), AwsRefs(region="eu-west-1", logs_bucket="logs-bucket"))


def test_fragments_that_disagree_are_a_kit_bug():
    with pytest.raises(ValueError, match=r"\[core\] parallelism is set twice"):
        merge_fragments([{"core": {"parallelism": 32}}, {"core": {"parallelism": 64}}])


def test_fragments_that_agree_merge():
    merged = merge_fragments([{"core": {"a": 1}}, {"core": {"a": 1, "b": 2}}, {"api": {"c": 3}}])
    assert merged == {"core": {"a": 1, "b": 2}, "api": {"c": 3}}


def test_stack_config_overrides_come_last():
    config = compose(airflow={"config": {"core": {"load_examples": True}, "webserver": {"instance_name": "Prod"}}})
    assert config["core"]["load_examples"] is True
    assert config["webserver"]["instance_name"] == "Prod"


def test_links_point_at_the_ingress_host_with_the_scheme_users_reach_it_by():
    tls = {"certManager": {"clusterIssuer": "letsencrypt"}}
    config = compose(kubernetes={"ingress": {"enabled": True, "host": "airflow.example.org", "tls": tls}})
    assert config["api"]["base_url"] == "https://airflow.example.org"
    upstream = {"enabled": True, "host": "airflow.example.org", "tls": {"terminatedUpstream": True}}
    assert compose(kubernetes={"ingress": upstream})["api"]["base_url"] == "https://airflow.example.org"
    cfg = stack("staging", kubernetes={"ingress": {"enabled": True, "host": "airflow.example.org"}})
    plain = compose_airflow_config(cfg, derive_tuning(cfg), None)
    assert plain["api"]["base_url"] == "http://airflow.example.org"  # no TLS anywhere: no https link
    assert "base_url" not in compose()["api"]


def test_executor_and_remote_logs():
    config = compose()
    assert config["core"]["executor"] == "CeleryExecutor"
    assert config["logging"]["remote_base_log_folder"] == "s3://logs-bucket/logs"
