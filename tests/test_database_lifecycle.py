"""The database's life: major upgrades only when the stack says so, destroy then up, adoption of what was kept."""

from __future__ import annotations

from typing import Any

import pulumi
import pytest

from components.aws.engine_guard import major_change_refusal
from components.config.stackfile import StackFile
from components.plan.replacements import find_replacements
from components.plan.runner import plan_stack
from tests.support.programs import RecordingMocks, run_data_plane
from tests.support.stacks import problems, raw_values, secret_keys_of

RDS = "aws:rds/instance:Instance"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"


class RunningInstance(RecordingMocks):
    """AWS as it is once the stack's database runs, at ``version``."""

    def __init__(self, version: str) -> None:
        super().__init__()
        self.version = version

    def call(self, args: pulumi.runtime.MockCallArgs) -> dict[str, Any]:
        if args.token == "aws:rds/getInstances:getInstances":
            return {"instanceIdentifiers": ["airflow-dev-metadata"], "instanceArns": [], "id": "eu-west-1"}
        if args.token == "aws:rds/getInstance:getInstance":
            return {"engineVersion": self.version, "dbInstanceIdentifier": "airflow-dev-metadata", "id": "x"}
        return super().call(args)


@pytest.mark.parametrize(
    ("running", "configured", "allowed", "refused"),
    [
        (None, "17", False, None),
        ("16.4", "16", False, None),
        ("16.4", "16.6", False, None),
        ("16.4", "17", False, "allowMajorVersionUpgrade"),
        ("16.4", "17", True, None),
        ("17.2", "16", True, "cannot downgrade"),
    ],
)
def test_which_version_changes_pass(running, configured, allowed, refused):
    refusal = major_change_refusal(running, configured, allowed)
    assert (refusal is None) == (refused is None)
    if refused:
        assert refused in refusal
        assert "airflow-ha:database.engineVersion" in refusal


def test_a_major_upgrade_the_stack_did_not_allow_stops_before_anything_changes():
    with pytest.raises(Exception, match=r"database\.allowMajorVersionUpgrade to true") as raised:
        run_data_plane("dev", database={"engineVersion": "17"}, mocks=RunningInstance("16.4"))
    assert "16.4" in str(raised.value)


def test_an_allowed_major_upgrade_goes_through_with_its_own_parameter_group():
    plane = run_data_plane(
        "dev", database={"engineVersion": "17", "allowMajorVersionUpgrade": True}, mocks=RunningInstance("16.4")
    )
    instance = plane.one(RDS)
    assert instance.inputs["engineVersion"] == "17"
    assert instance.inputs["allowMajorVersionUpgrade"] is True
    group = plane.one("aws:rds/parameterGroup:ParameterGroup")
    assert group.inputs["family"] == "postgres17"
    # The instance names the new group, so Pulumi creates the group before it modifies the instance.
    assert instance.inputs["parameterGroupName"].startswith(group.inputs["namePrefix"])


def test_the_same_major_with_aws_ahead_on_minors_changes_nothing():
    plane = run_data_plane("dev", mocks=RunningInstance("16.9"))
    assert plane.one(RDS).inputs["engineVersion"] == "16"


@pytest.mark.parametrize(("tier", "days"), [("dev", 7), ("staging", 30), ("prod", 90)])
def test_rds_log_groups_exist_before_the_instance_and_expire(tier, days):
    plane = run_data_plane(tier)
    groups = {r.inputs["name"]: r for r in plane.of_type(LOG_GROUP)}
    identifier = plane.one(RDS).inputs["identifier"]
    assert set(groups) == {f"/aws/rds/instance/{identifier}/postgresql", f"/aws/rds/instance/{identifier}/upgrade"}
    assert {r.inputs["retentionInDays"] for r in groups.values()} == {days}
    assert {r.name for r in groups.values()} <= set(plane.one(RDS).depends_on)


class TestDestroyThenUp:
    """Nothing a destroyed stack leaves behind may block the next `pulumi up` of the same stack."""

    def test_names_aws_would_find_taken_are_prefixes(self):
        plane = run_data_plane("prod")
        for token in (
            "aws:ec2/securityGroup:SecurityGroup",
            "aws:rds/parameterGroup:ParameterGroup",
        ):
            for registration in plane.of_type(token):
                assert "name" not in registration.inputs, registration.name
                assert registration.inputs["namePrefix"].endswith("-"), registration.name
        monitoring = plane.run.named("prod-aws-database-monitoring")
        assert "name" not in monitoring.inputs
        assert len(monitoring.inputs["namePrefix"]) <= 38

    def test_what_a_kept_database_needs_is_kept_with_it(self):
        prod, dev = run_data_plane("prod"), run_data_plane("dev", database={"monitoringIntervalSeconds": 60})
        for name in (
            "aws-database-sg",
            "aws-database-subnets",
            "aws-database-monitoring",
            "aws-database-log-postgresql",
        ):
            assert prod.run.named(f"prod-{name}").retain_on_delete is True, name
            assert dev.run.named(f"dev-{name}").retain_on_delete is False, name

    def test_an_unprotected_logs_bucket_goes_with_the_stack(self):
        assert run_data_plane("dev").one("aws:s3/bucket:Bucket").inputs["forceDestroy"] is True
        assert run_data_plane("prod").one("aws:s3/bucket:Bucket").inputs["forceDestroy"] is False

    def test_each_instance_gets_its_own_final_snapshot_name(self):
        suffix = run_data_plane("dev").run.named("dev-aws-database-final-snapshot-suffix")
        assert suffix.inputs["keepers"] == {"identifier": "airflow-dev-metadata"}

    def test_secrets_the_kit_rewrites_leave_no_recovery_window(self):
        values = raw_values("prod", slack={"enabled": True}, slackWebhookUrl="https://hooks.slack.com/services/T/B/x")
        plan = plan_stack(StackFile("prod", values, frozenset(secret_keys_of(values))))
        secrets = {r.name: r for r in plan.resources if r.type == "aws:secretsmanager/secret:Secret"}
        assert {"prod-integrations-slack-connection", "prod-airflow-fernet-key-store"} <= set(secrets)
        for secret in secrets.values():
            assert secret.inputs["recoveryWindowInDays"] == 0, secret.name


ADOPTION = {
    "database": {"adoptRetained": True, "kmsKeyArn": "arn:aws:kms:eu-west-1:123456789012:key/db-0001"},
    "logs": {"kmsKeyArn": "arn:aws:kms:eu-west-1:123456789012:key/logs-0001"},
}


class TestAdoption:
    def test_the_retained_database_and_bucket_are_imported(self):
        plane = run_data_plane("prod", **ADOPTION)
        imported = {r.type: r.import_id for r in plane.run.registrations if r.import_id}
        assert imported[RDS] == "airflow-prod-metadata"
        assert imported["aws:rds/subnetGroup:SubnetGroup"] == "airflow-prod-metadata"
        assert imported["aws:s3/bucket:Bucket"] == "airflow-prod-logs-123456789012"
        logs = {r.import_id for r in plane.of_type(LOG_GROUP)}
        assert logs == {
            "/aws/rds/instance/airflow-prod-metadata/postgresql",
            "/aws/rds/instance/airflow-prod-metadata/upgrade",
        }

    def test_nothing_is_imported_otherwise(self):
        assert [r.name for r in run_data_plane("prod").run.registrations if r.import_id] == []

    def test_adoption_needs_the_retained_keys_named(self):
        found = dict(problems("prod", database={"adoptRetained": True}))
        assert "database.adoptRetained" in found["database.kmsKeyArn"]
        assert "database.adoptRetained" in found["logs.kmsKeyArn"]


def test_renaming_the_release_in_dev_is_listed_as_the_database_replacement_it_is():
    def plan(release: str) -> list[dict[str, Any]]:
        values = raw_values("dev", kubernetes={"releaseName": release})
        return plan_stack(StackFile("dev", values, frozenset())).as_json()["resources"]

    found = find_replacements(plan("airflow"), plan("orchestrator"))
    database = [r for r in found if r.type == RDS]
    assert database
    assert "identifier" in database[0].reason
