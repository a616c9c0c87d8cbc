"""IRSA: one IAM role per Airflow service account, assumable only by that service account.

The chart creates the service accounts under the names the kit pins (``Names.service_account``
and the Helm release name), annotated with the role ARNs exposed here.
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from ..args import IrsaArgs, XComStorageArgs
from ..naming.aws import LOGS_PREFIX, AwsNames
from .cluster import EksCluster
from .policies import SecretsAccess, XComAccess, irsa_trust_policy, service_account_policy


class ServiceAccountRoles(pulumi.ComponentResource):
    def __init__(
        self,
        name: str,
        args: IrsaArgs,
        aws_names: AwsNames,
        *,
        region: str,
        cluster: EksCluster,
        logs_bucket: pulumi.Input[str],
        logs_key_arn: pulumi.Input[str],
        secrets_key_arn: pulumi.Input[str] | None,
        event_queue_arns: list[pulumi.Output[str]],
        xcom: XComStorageArgs | None,
        opts: pulumi.ResourceOptions,
    ):
        """``event_queue_arns``: the event sources' queues (the triggerer reads them). ``xcom``: where
        the workers read and write large XComs (the logs bucket and its key unless a bucket is named)."""
        super().__init__("airflow-ha:aws:ServiceAccountRoles", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        namespace = args.namespace

        self.role_arns: dict[str, pulumi.Output[str]] = {}
        for component, service_account in args.service_accounts:
            trust = pulumi.Output.all(cluster.oidc_provider_arn, cluster.oidc_issuer).apply(
                lambda parts, sa=service_account: irsa_trust_policy(parts[0], parts[1], namespace, sa)
            )
            role = aws.iam.Role(
                f"{name}-{component.chart_key}",
                name=aws_names.service_account_role(component),
                description=f"IRSA role of {namespace}/{service_account}",
                assume_role_policy=pulumi.Output.json_dumps(trust),
                opts=child,
            )
            policy = pulumi.Output.all(
                cluster.partition,
                cluster.account_id,
                logs_bucket,
                logs_key_arn,
                secrets_key_arn,
                pulumi.Output.all(*event_queue_arns),
            ).apply(
                lambda parts, component=component: service_account_policy(
                    component,
                    partition=parts[0],
                    region=region,
                    account_id=parts[1],
                    logs_bucket=parts[2],
                    logs_prefix=LOGS_PREFIX,
                    logs_key_arn=parts[3],
                    secrets=SecretsAccess(args.secrets_prefixes, parts[4]) if parts[4] else None,
                    dag_bundle=args.dag_bundle,
                    tasks_in_scheduler=args.tasks_in_scheduler,
                    event_queue_arns=tuple(parts[5]),
                    xcom=_xcom_access(xcom, logs_bucket=parts[2], logs_key_arn=parts[3]),
                )
            )
            aws.iam.RolePolicy(
                f"{name}-{component.chart_key}-access",
                name="airflow-access",
                role=role.id,
                policy=pulumi.Output.json_dumps(policy),
                opts=child,
            )
            self.role_arns[component.chart_key] = role.arn
        self.register_outputs({"roleArns": self.role_arns})


def _xcom_access(xcom: XComStorageArgs | None, *, logs_bucket: str, logs_key_arn: str) -> XComAccess | None:
    if xcom is None:
        return None
    if xcom.bucket is None:
        return XComAccess(logs_bucket, xcom.prefix, logs_key_arn)
    return XComAccess(xcom.bucket, xcom.prefix, None)
