"""IRSA for the metadata cleanup CronJob: write Parquet under the export prefix of the logs bucket, nothing else.

The job reads the metadata database through its connection Secret, not through AWS; its only AWS
call is ``s3:PutObject`` under ``<prefix>/``, encrypted with the bucket's key through S3.
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from ..args import MetadataExportArgs
from ..naming.aws import AwsNames
from .cluster import EksCluster
from .policies import Policy, document, irsa_trust_policy


def metadata_export_policy(partition: str, region: str, bucket: str, prefix: str, key_arn: str) -> Policy:
    return document(
        [
            {
                "Sid": "MetadataExportObjects",
                "Effect": "Allow",
                "Action": ["s3:PutObject"],
                "Resource": f"arn:{partition}:s3:::{bucket}/{prefix}/*",
            },
            {
                "Sid": "MetadataExportEncryption",
                "Effect": "Allow",
                "Action": ["kms:GenerateDataKey"],
                "Resource": key_arn,
                "Condition": {"StringEquals": {"kms:ViaService": f"s3.{region}.amazonaws.com"}},
            },
        ]
    )


class MetadataExportRole(pulumi.ComponentResource):
    def __init__(
        self,
        name: str,
        args: MetadataExportArgs,
        aws_names: AwsNames,
        *,
        region: str,
        cluster: EksCluster,
        logs_bucket: pulumi.Input[str],
        logs_key_arn: pulumi.Input[str],
        opts: pulumi.ResourceOptions,
    ):
        super().__init__("airflow-ha:aws:MetadataExportRole", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        trust = pulumi.Output.all(cluster.oidc_provider_arn, cluster.oidc_issuer).apply(
            lambda parts: irsa_trust_policy(parts[0], parts[1], args.namespace, args.service_account)
        )
        role = aws.iam.Role(
            f"{name}-role",
            name=aws_names.metadata_export_role,
            description=f"IRSA role of {args.namespace}/{args.service_account}: metadata export",
            assume_role_policy=pulumi.Output.json_dumps(trust),
            opts=child,
        )
        policy = pulumi.Output.all(cluster.partition, logs_bucket, logs_key_arn).apply(
            lambda parts: metadata_export_policy(parts[0], region, parts[1], args.prefix, parts[2])
        )
        aws.iam.RolePolicy(
            f"{name}-access",
            name="airflow-metadata-export",
            role=role.id,
            policy=pulumi.Output.json_dumps(policy),
            opts=child,
        )
        self.role_arn: pulumi.Output[str] = role.arn
        self.register_outputs({"roleArn": self.role_arn})
