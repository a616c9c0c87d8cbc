"""metadataRetention: the config it takes and refuses, the databaseCleanup CronJob it renders,
the cleanup job's IRSA role (write under the export prefix only), and the pure parts of the
cleanup script. The real run against PostgreSQL and S3 is tests/contract/test_contract_metadata_retention.py."""

from __future__ import annotations

import importlib.util
from dataclasses import replace

import pytest
import yaml

from components.values.metadata_retention import CLEANUP_SCRIPT, cleanup_script
from tests.support.chart import AWS_REFS, compose, schema_errors
from tests.support.programs import policy, run_data_plane
from tests.support.stacks import problem_at, problems, shipped_stack, stack

ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
CLEANUP_ROLE_ARN = "arn:aws:iam::123456789012:role/airflow-database-cleanup"


def _script():
    spec = importlib.util.spec_from_file_location("metadata_cleanup", CLEANUP_SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class TestConfig:
    @pytest.mark.parametrize(
        ("tier", "enabled", "days", "schedule", "export"),
        [
            ("local", False, 30, "30 2 * * 0", False),
            ("dev", True, 30, "30 2 * * 0", True),
            ("staging", True, 60, "30 2 * * *", True),
            ("prod", True, 90, "30 2 * * *", True),
        ],
    )
    def test_tier_defaults(self, tier, enabled, days, schedule, export):
        retention = stack(tier).metadata_retention
        assert (retention.enabled, retention.retention_days, retention.schedule) == (enabled, days, schedule)
        assert retention.export.enabled is export

    @pytest.mark.parametrize("days", [0, -3])
    def test_a_retention_shorter_than_one_day(self, days):
        message = problem_at("prod", "metadataRetention.retentionDays", metadataRetention={"retentionDays": days})
        assert "at least 1 day" in message
        assert "still running or queued" in message

    def test_no_export_without_s3(self):
        message = problem_at(
            "local",
            "metadataRetention.export.enabled",
            metadataRetention={"enabled": True, "export": {"enabled": True}},
        )
        assert "only the AWS tiers have" in message

    def test_no_export_without_the_cleanup(self):
        message = problem_at("prod", "metadataRetention.export.enabled", metadataRetention={"enabled": False})
        assert "metadataRetention.enabled is false" in message

    @pytest.mark.parametrize(
        ("section", "key"),
        [
            ({"schedule": "every night"}, "metadataRetention.schedule"),
            ({"export": {"enabled": True, "prefix": "/Archive"}}, "metadataRetention.export.prefix"),
        ],
    )
    def test_malformed_values(self, section, key):
        assert [where for where, _ in problems("prod", metadataRetention=section)] == [key]


class TestChartValues:
    def test_prod_runs_the_kit_script_with_the_archive_kept(self):
        refs = replace(AWS_REFS, role_arns={**AWS_REFS.role_arns, "databaseCleanup": CLEANUP_ROLE_ARN})
        from components.naming.kubernetes import Names
        from components.values.metadata_retention import database_cleanup_values

        cfg = shipped_stack("prod")
        names = Names(release=cfg.kubernetes.release_name, namespace=cfg.kubernetes.namespace)
        cleanup = database_cleanup_values(cfg, names, refs)["databaseCleanup"]
        assert cleanup["enabled"] is True
        assert (cleanup["schedule"], cleanup["retentionDays"], cleanup["skipArchive"]) == ("30 2 * * *", 90, False)
        assert cleanup["args"][:3] == ["python", "-c", CLEANUP_SCRIPT.read_text()]
        assert cleanup["args"][3:] == [
            "--retention-days", "90",
            "--bucket", AWS_REFS.logs_bucket,
            "--prefix", "metadata-archive",
            "--region", "eu-west-1",
        ]  # fmt: skip
        assert cleanup["serviceAccount"] == {
            "create": True,
            "name": "airflow-database-cleanup",
            "annotations": {"eks.amazonaws.com/role-arn": CLEANUP_ROLE_ARN},
        }

    def test_without_the_export_the_chart_purges_without_archive(self):
        cleanup = compose(stack("prod", metadataRetention={"export": {"enabled": False}}))["databaseCleanup"]
        assert cleanup["skipArchive"] is True
        assert "args" not in cleanup  # the chart's own `airflow db clean`

    def test_off_in_local(self):
        assert compose(shipped_stack("local"))["databaseCleanup"]["enabled"] is False

    @pytest.mark.parametrize("stack_name", ["local", "dev", "staging", "prod"])
    def test_the_schema_accepts_it(self, stack_name):
        assert schema_errors(compose(shipped_stack(stack_name))) == []

    def test_the_script_survives_the_charts_templating(self):
        assert "{{" not in cleanup_script()
        assert "}}" not in cleanup_script()

    def test_the_rendered_cronjob(self):
        from tests.test_chart_render import of_kind, render_text

        documents = [document for document in yaml.safe_load_all(render_text(shipped_stack("prod"))) if document]
        cronjob = of_kind(documents, "CronJob")["airflow-database-cleanup"]
        assert cronjob["spec"]["schedule"] == "30 2 * * *"
        assert cronjob["spec"]["concurrencyPolicy"] == "Forbid"
        pod = cronjob["spec"]["jobTemplate"]["spec"]["template"]["spec"]
        (container,) = pod["containers"]
        assert container["args"][2] == CLEANUP_SCRIPT.read_text()
        assert container["resources"]["limits"] == {"cpu": "1", "memory": "2Gi"}
        assert pod["serviceAccountName"] == "airflow-database-cleanup"
        account = of_kind(documents, "ServiceAccount")["airflow-database-cleanup"]
        assert account["automountServiceAccountToken"] is False


class TestIrsa:
    @pytest.fixture(scope="class")
    @classmethod
    def plane(cls):
        return run_data_plane("prod", kubernetes={"releaseName": "orchestrator", "namespace": "data-jobs"})

    def test_the_role_trusts_only_the_cleanup_service_account(self, plane):
        role = plane.run.named("prod-aws-metadata-export-role")
        (statement,) = policy(role, "assumeRolePolicy")["Statement"]
        (condition,) = [value for key, value in statement["Condition"]["StringEquals"].items() if key.endswith(":sub")]
        assert condition == "system:serviceaccount:data-jobs:orchestrator-database-cleanup"

    def test_write_under_the_export_prefix_only(self, plane):
        document = policy(plane.run.named("prod-aws-metadata-export-access"))
        objects, encryption = document["Statement"]
        assert objects["Action"] == ["s3:PutObject"]
        assert objects["Resource"].endswith("-logs-123456789012/metadata-archive/*")
        assert objects["Resource"].startswith("arn:aws:s3:::orchestrator-prod-logs")
        assert encryption["Action"] == ["kms:GenerateDataKey"]
        assert encryption["Condition"] == {"StringEquals": {"kms:ViaService": "s3.eu-west-1.amazonaws.com"}}

    def test_the_role_reaches_the_chart(self, plane):
        from tests.support.programs import resolved

        assert resolved(plane.outputs.role_arns["databaseCleanup"]).endswith(":role/orchestrator-prod-database-cleanup")

    def test_no_role_without_the_export(self):
        plane = run_data_plane("prod", metadataRetention={"export": {"enabled": False}})
        assert not [r for r in plane.of_type(ROLE) if "metadata-export" in r.name]
        assert "databaseCleanup" not in plane.outputs.role_arns

    def test_task_logs_expire_and_the_export_does_not(self, plane):
        lifecycle = plane.one("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration")
        rules = {rule["id"]: rule for rule in lifecycle.inputs["rules"]}
        assert rules["expire-task-logs"]["filter"] == {"prefix": "logs/"}
        assert not [rule for rule in rules.values() if rule["filter"].get("prefix", "").startswith("metadata-archive")]


class TestScript:
    def test_object_key_is_hive_style(self):
        script = _script()
        assert script.object_key("metadata-archive/", "_airflow_deleted__dag_run__20261202031500") == (
            "metadata-archive/dag_run/archived_date=2026-12-02/_airflow_deleted__dag_run__20261202031500.parquet"
        )
        assert script.object_key("a", "_airflow_deleted__task_instance__20261202031500__b2") == (
            "a/task_instance/archived_date=2026-12-02/_airflow_deleted__task_instance__20261202031500__b2.parquet"
        )

    def test_only_archive_tables_are_exported(self):
        script = _script()
        with pytest.raises(ValueError, match="not an archive table"):
            script.object_key("a", "dag_run")

    def test_column_types_give_a_stable_schema(self):
        import pyarrow as pa
        import sqlalchemy.dialects.postgresql as pg
        import sqlalchemy.types as sql

        script = _script()
        assert script.arrow_type(sql.Integer()) == pa.int64()
        assert script.arrow_type(sql.DateTime(timezone=True)) == pa.timestamp("us", tz="UTC")
        assert script.arrow_type(pg.DOUBLE_PRECISION()) == pa.float64()
        assert script.arrow_type(pg.JSONB()) == pa.string()
        assert script.arrow_type(pg.UUID()) == pa.string()
        assert script.arrow_type(pg.BYTEA()) == pa.binary()
        assert script.arrow_type(sql.Boolean()) == pa.bool_()
        assert script.arrow_value({"b": 1, "a": [2]}, pa.string()) == '{"a": [2], "b": 1}'
