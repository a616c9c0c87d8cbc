"""The S3 bucket for Airflow's remote task logs: private, encrypted, TLS-only, expiring.

Large XComs may share it under their own prefix, with their own expiry rule."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from ..args import XComStorageArgs
from ..config.sections.aws import LogsSection
from ..naming.aws import LOGS_PREFIX, AwsNames
from .policies import tls_only_bucket_policy

# Each append to a task log rewrites the object, so versioning keeps a trail of old versions:
# they go after this many days (or the retention, if shorter).
NONCURRENT_VERSION_DAYS = 30
INCOMPLETE_UPLOAD_DAYS = 7


def noncurrent_version_days(retention_days: int) -> int:
    return min(retention_days, NONCURRENT_VERSION_DAYS)


class LogsBucket(pulumi.ComponentResource):
    def __init__(
        self,
        name: str,
        logs: LogsSection,
        aws_names: AwsNames,
        *,
        account_id: pulumi.Input[str],
        partition: pulumi.Input[str],
        kms_key_arn: pulumi.Input[str],
        protect: bool,
        adopt_bucket: str | None,
        xcom: XComStorageArgs | None,
        opts: pulumi.ResourceOptions,
    ):
        """``adopt_bucket``: the name of a bucket a destroyed stack retained, to import instead of creating.
        ``xcom``: large XComs kept under their prefix of this bucket, expiring on their own schedule."""
        super().__init__("airflow-ha:aws:LogsBucket", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)

        self.bucket = aws.s3.Bucket(
            name,
            bucket=pulumi.Output.from_input(account_id).apply(aws_names.logs_bucket),
            # Unprotected, task logs go with the stack: a bucket that is not empty would stop
            # `pulumi destroy`. Protected, the bucket stays, logs and all.
            force_destroy=not protect,
            opts=pulumi.ResourceOptions(parent=self, protect=protect, retain_on_delete=protect, import_=adopt_bucket),
        )
        bucket = self.bucket.bucket
        aws.s3.BucketOwnershipControls(
            f"{name}-ownership",
            bucket=bucket,
            rule=aws.s3.BucketOwnershipControlsRuleArgs(object_ownership="BucketOwnerEnforced"),
            opts=child,
        )
        public_access_block = aws.s3.BucketPublicAccessBlock(
            f"{name}-public-access-block",
            bucket=bucket,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
            opts=child,
        )
        aws.s3.BucketServerSideEncryptionConfiguration(
            f"{name}-encryption",
            bucket=bucket,
            rules=[
                aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(
                    apply_server_side_encryption_by_default=aws.s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
                        sse_algorithm="aws:kms",
                        kms_master_key_id=kms_key_arn,
                    ),
                    # One data key per bucket instead of one KMS call per object.
                    bucket_key_enabled=True,
                )
            ],
            opts=child,
        )
        versioning = aws.s3.BucketVersioning(
            f"{name}-versioning",
            bucket=bucket,
            versioning_configuration=aws.s3.BucketVersioningVersioningConfigurationArgs(status="Enabled"),
            opts=child,
        )
        xcom_rules = (
            [
                aws.s3.BucketLifecycleConfigurationRuleArgs(
                    id="expire-xcoms",
                    status="Enabled",
                    filter=aws.s3.BucketLifecycleConfigurationRuleFilterArgs(prefix=f"{xcom.prefix}/"),
                    expiration=aws.s3.BucketLifecycleConfigurationRuleExpirationArgs(days=xcom.retention_days),
                    noncurrent_version_expiration=aws.s3.BucketLifecycleConfigurationRuleNoncurrentVersionExpirationArgs(
                        noncurrent_days=1,
                    ),
                    abort_incomplete_multipart_upload=aws.s3.BucketLifecycleConfigurationRuleAbortIncompleteMultipartUploadArgs(
                        days_after_initiation=INCOMPLETE_UPLOAD_DAYS,
                    ),
                )
            ]
            if xcom is not None
            else []
        )
        aws.s3.BucketLifecycleConfiguration(
            f"{name}-lifecycle",
            bucket=bucket,
            rules=[
                # A delete marker with no versions behind it is only clutter (and a listing cost).
                aws.s3.BucketLifecycleConfigurationRuleArgs(
                    id="expire-delete-markers",
                    status="Enabled",
                    filter=aws.s3.BucketLifecycleConfigurationRuleFilterArgs(prefix=""),
                    expiration=aws.s3.BucketLifecycleConfigurationRuleExpirationArgs(expired_object_delete_marker=True),
                ),
                aws.s3.BucketLifecycleConfigurationRuleArgs(
                    id="expire-task-logs",
                    status="Enabled",
                    # Only the task logs: XComs under their own prefix expire by their own rule, and the
                    # metadata export (metadataRetention.export) is the run history a warehouse keeps.
                    filter=aws.s3.BucketLifecycleConfigurationRuleFilterArgs(prefix=f"{LOGS_PREFIX}/"),
                    expiration=aws.s3.BucketLifecycleConfigurationRuleExpirationArgs(days=logs.retention_days),
                    noncurrent_version_expiration=aws.s3.BucketLifecycleConfigurationRuleNoncurrentVersionExpirationArgs(
                        noncurrent_days=noncurrent_version_days(logs.retention_days),
                    ),
                    abort_incomplete_multipart_upload=aws.s3.BucketLifecycleConfigurationRuleAbortIncompleteMultipartUploadArgs(
                        days_after_initiation=INCOMPLETE_UPLOAD_DAYS,
                    ),
                ),
                *xcom_rules,
            ],
            # Rules on noncurrent versions are for a versioned bucket: versioning first, as the
            # AWS provider's docs advise.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[versioning]),
        )
        aws.s3.BucketPolicy(
            f"{name}-tls-only",
            bucket=bucket,
            policy=pulumi.Output.json_dumps(
                pulumi.Output.all(partition, bucket).apply(lambda args: tls_only_bucket_policy(*args))
            ),
            # S3 refuses concurrent changes to a bucket's access settings.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[public_access_block]),
        )

        self.bucket_name: pulumi.Output[str] = bucket
        self.register_outputs({"bucketName": bucket})
