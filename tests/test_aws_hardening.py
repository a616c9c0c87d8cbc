"""Hardening of the data stores per tier, read from what the engine would receive."""

from __future__ import annotations

import re

import pytest

from tests.support.programs import run_data_plane

RDS = "aws:rds/instance:Instance"
PARAMETER_GROUP = "aws:rds/parameterGroup:ParameterGroup"
REDIS = "aws:elasticache/replicationGroup:ReplicationGroup"
KMS_KEY = "aws:kms/key:Key"
BUCKET = "aws:s3/bucket:Bucket"
ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
ROLE = "aws:iam/role:Role"

PROD_KEY_ARN = "arn:aws:kms:eu-west-1:123456789012:key/prod-aws-key-0000-1111-2222-333344445555"


@pytest.fixture(scope="module")
def prod():
    return run_data_plane("prod")


@pytest.fixture(scope="module")
def dev():
    return run_data_plane("dev")


class TestDatabaseProd:
    def test_protected_and_retained(self, prod):
        instance = prod.one(RDS)
        assert instance.protect is True
        assert instance.retain_on_delete is True

    def test_availability_and_backups(self, prod):
        inputs = prod.one(RDS).inputs
        assert inputs["multiAz"] is True
        assert inputs["backupRetentionPeriod"] == 14
        assert inputs["deletionProtection"] is True
        assert inputs["skipFinalSnapshot"] is False
        assert re.fullmatch(r"airflow-prod-metadata-final-[0-9a-f]{8}", inputs["finalSnapshotIdentifier"])
        assert inputs["copyTagsToSnapshot"] is True
        assert inputs["applyImmediately"] is False

    def test_pinned_identity(self, prod):
        inputs = prod.one(RDS).inputs
        assert inputs["identifier"] == "airflow-prod-metadata"
        assert (inputs["dbName"], inputs["username"]) == ("airflow", "airflow")
        assert inputs["publiclyAccessible"] is False

    def test_encrypted_with_the_kit_key(self, prod):
        inputs = prod.one(RDS).inputs
        assert inputs["storageEncrypted"] is True
        assert inputs["kmsKeyId"] == PROD_KEY_ARN
        assert inputs["performanceInsightsKmsKeyId"] == PROD_KEY_ARN

    def test_observability(self, prod):
        inputs = prod.one(RDS).inputs
        assert inputs["performanceInsightsEnabled"] is True
        assert inputs["monitoringInterval"] == 60
        role = prod.run.named("prod-aws-database-monitoring")
        assert role.inputs["namePrefix"] == "airflow-prod-rds-monitoring-"
        assert inputs["monitoringRoleArn"].startswith("arn:aws:iam::123456789012:role/airflow-prod-rds-monitoring-")

    def test_monitoring_role_is_ready_before_the_instance(self, prod):
        role = prod.run.named("prod-aws-database-monitoring")
        assert role.inputs["assumeRolePolicy"].count("monitoring.rds.amazonaws.com") == 1
        attachment = prod.one(ATTACHMENT)
        assert attachment.inputs["policyArn"] == "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"
        # Nothing in the instance's inputs refers to the attachment: only an explicit dependsOn orders them.
        assert attachment.name in prod.one(RDS).depends_on

    def test_storage_autoscaling(self, prod):
        inputs = prod.one(RDS).inputs
        assert inputs["allocatedStorage"] == 100
        assert inputs["maxAllocatedStorage"] == 1000

    def test_engine_major_version_with_in_place_minor_upgrades(self, prod):
        instance = prod.one(RDS)
        assert instance.inputs["engine"] == "postgres"
        assert instance.inputs["engineVersion"] == "16"
        assert instance.inputs["autoMinorVersionUpgrade"] is True
        assert instance.inputs["allowMajorVersionUpgrade"] is False
        # "16" matches the running 16.x: the provider shows no drift, so nothing needs ignoring, and a
        # change of major version is a real change (guarded: test_database_lifecycle.py).
        assert instance.ignore_changes == []

    def test_no_extended_support_charges(self, prod):
        assert prod.one(RDS).inputs["engineLifecycleSupport"] == "open-source-rds-extended-support-disabled"

    def test_tls_forced_by_the_parameter_group(self, prod):
        group = prod.one(PARAMETER_GROUP)
        assert group.inputs["family"] == "postgres16"
        assert {"name": "rds.force_ssl", "value": "1", "applyMethod": "pending-reboot"} in group.inputs["parameters"]
        assert group.inputs["namePrefix"] == "airflow-prod-metadata-postgres16-"
        assert prod.one(RDS).inputs["parameterGroupName"].startswith(group.inputs["namePrefix"])

    def test_kms_key_and_logs_bucket_are_protected_too(self, prod):
        for registration in (prod.one(KMS_KEY), prod.one(BUCKET)):
            assert (registration.protect, registration.retain_on_delete) == (True, True), registration.name
        assert prod.one(KMS_KEY).inputs["enableKeyRotation"] is True


class TestDatabaseDev:
    def test_not_protected(self, dev):
        instance = dev.one(RDS)
        assert (instance.protect, instance.retain_on_delete) == (False, False)
        assert (dev.one(KMS_KEY).protect, dev.one(BUCKET).protect) == (False, False)

    def test_single_az_and_still_a_final_snapshot(self, dev):
        """Unprotected, a config change or a destroy may delete the instance: never without a snapshot."""
        inputs = dev.one(RDS).inputs
        assert inputs["multiAz"] is False
        assert inputs["deletionProtection"] is False
        assert inputs["skipFinalSnapshot"] is False
        assert re.fullmatch(r"airflow-dev-metadata-final-[0-9a-f]{8}", inputs["finalSnapshotIdentifier"])

    def test_no_enhanced_monitoring_or_insights(self, dev):
        inputs = dev.one(RDS).inputs
        assert inputs["monitoringInterval"] == 0
        assert "monitoringRoleArn" not in inputs
        assert inputs["performanceInsightsEnabled"] is False
        assert "performanceInsightsKmsKeyId" not in inputs
        assert dev.of_type(ATTACHMENT) == []
        assert [r.name for r in dev.of_type(ROLE) if "monitoring" in r.name] == []

    def test_still_encrypted_and_private(self, dev):
        inputs = dev.one(RDS).inputs
        assert inputs["storageEncrypted"] is True
        assert inputs["kmsKeyId"].startswith("arn:aws:kms:eu-west-1:123456789012:key/")
        assert inputs["publiclyAccessible"] is False


def test_staging_takes_a_final_snapshot_without_pulumi_protect():
    staging = run_data_plane("staging")
    instance = staging.one(RDS)
    assert instance.protect is False
    assert instance.inputs["deletionProtection"] is True
    assert instance.inputs["skipFinalSnapshot"] is False
    assert instance.inputs["finalSnapshotIdentifier"].startswith("airflow-staging-metadata-final-")


def test_extended_support_only_when_asked():
    plane = run_data_plane("dev", database={"extendedSupport": True})
    assert plane.one(RDS).inputs["engineLifecycleSupport"] == "open-source-rds-extended-support"


def test_pinned_minor_version_is_kept_and_not_ignored():
    plane = run_data_plane("dev", database={"engineVersion": "16.4", "autoMinorVersionUpgrade": False})
    instance = plane.one(RDS)
    assert instance.inputs["engineVersion"] == "16.4"
    assert instance.inputs["autoMinorVersionUpgrade"] is False
    assert instance.inputs["allowMajorVersionUpgrade"] is False
    assert instance.ignore_changes == []


def test_major_version_names_its_own_parameter_group():
    plane = run_data_plane("dev", database={"engineVersion": "17"})
    group = plane.one(PARAMETER_GROUP)
    assert group.inputs["family"] == "postgres17"
    assert group.inputs["namePrefix"] == "airflow-dev-metadata-postgres17-"
    assert group.retain_on_delete is True


def test_keys_named_in_config_replace_the_kit_key():
    db_key = "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555"
    logs_key = "arn:aws:kms:eu-west-1:123456789012:key/66666666-7777-8888-9999-000000000000"
    plane = run_data_plane(
        "dev",
        database={"kmsKeyArn": db_key},
        logs={"kmsKeyArn": logs_key},
        secretsBackend={"type": "none"},
    )
    assert plane.of_type(KMS_KEY) == []
    assert plane.one(RDS).inputs["kmsKeyId"] == db_key
    encryption = plane.one("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration")
    assert encryption.inputs["rules"][0]["applyServerSideEncryptionByDefault"]["kmsMasterKeyId"] == logs_key


class TestBroker:
    def test_prod_replication_group_across_azs(self, prod):
        inputs = prod.one(REDIS).inputs
        assert inputs["numCacheClusters"] == 2
        assert inputs["automaticFailoverEnabled"] is True
        assert inputs["multiAzEnabled"] is True

    def test_encrypted_in_transit_and_at_rest(self, prod):
        inputs = prod.one(REDIS).inputs
        assert inputs["transitEncryptionEnabled"] is True
        assert inputs["transitEncryptionMode"] == "required"
        assert inputs["atRestEncryptionEnabled"] is True
        assert inputs["kmsKeyId"] == PROD_KEY_ARN
        assert inputs["authToken"] == "[secret]"

    def test_own_subnet_group(self, prod):
        subnets = prod.one("aws:elasticache/subnetGroup:SubnetGroup")
        assert subnets.inputs["subnetIds"] == ["subnet-0aaa1111bbbb22220", "subnet-0aaa1111bbbb22221"]
        assert prod.one(REDIS).inputs["subnetGroupName"] == subnets.inputs["name"]

    def test_single_node_has_no_failover(self):
        plane = run_data_plane("dev", executor="CeleryExecutor")
        inputs = plane.one(REDIS).inputs
        assert inputs["numCacheClusters"] == 1
        assert inputs["automaticFailoverEnabled"] is False
        assert inputs["multiAzEnabled"] is False
        assert inputs["transitEncryptionEnabled"] is True


class TestLogsBucket:
    def test_private_versioned_encrypted(self, prod):
        assert prod.one(BUCKET).inputs["bucket"] == "airflow-prod-logs-123456789012"
        block = prod.one("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").inputs
        assert all(
            block[key] is True
            for key in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
        )
        assert prod.one("aws:s3/bucketVersioning:BucketVersioning").inputs["versioningConfiguration"] == {
            "status": "Enabled"
        }
        assert prod.one("aws:s3/bucketOwnershipControls:BucketOwnershipControls").inputs["rule"] == {
            "objectOwnership": "BucketOwnerEnforced"
        }
        rule = prod.one(
            "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
        ).inputs["rules"][0]
        assert rule["applyServerSideEncryptionByDefault"] == {"sseAlgorithm": "aws:kms", "kmsMasterKeyId": PROD_KEY_ARN}
        assert rule["bucketKeyEnabled"] is True

    def test_expiry_from_config(self):
        plane = run_data_plane("dev", logs={"retentionDays": 45})
        lifecycle = plane.one("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration")
        markers, rule = lifecycle.inputs["rules"]
        assert markers["expiration"] == {"expiredObjectDeleteMarker": True}
        assert markers["status"] == "Enabled"
        assert rule["status"] == "Enabled"
        assert rule["expiration"] == {"days": 45}
        assert rule["noncurrentVersionExpiration"] == {"noncurrentDays": 30}
        assert "dev-aws-logs-versioning" in lifecycle.depends_on

    def test_short_retention_caps_noncurrent_versions(self):
        plane = run_data_plane("dev", logs={"retentionDays": 5})
        _, rule = plane.one("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").inputs["rules"]
        assert rule["noncurrentVersionExpiration"] == {"noncurrentDays": 5}

    def test_tls_only_policy_after_the_public_access_block(self, prod):
        bucket_policy = prod.one("aws:s3/bucketPolicy:BucketPolicy")
        assert "prod-aws-logs-public-access-block" in bucket_policy.depends_on
        assert '"aws:SecureTransport": "false"' in bucket_policy.inputs["policy"]
        assert '"Effect": "Deny"' in bucket_policy.inputs["policy"]
