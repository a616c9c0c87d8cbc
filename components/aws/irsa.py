"""IRSA: one IAM role per Airflow service account, assumable only by that service account.

The chart creates the service accounts under the names ``names.service_account(...)`` (the kit
pins them and the Helm release name), annotated with the role ARNs exposed here.
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from ..config.model import StackConfig
from ..naming import LOGS_PREFIX, Names
from .cluster import EksCluster
from .identifiers import AwsNames
from .policies import IRSA_COMPONENTS, irsa_trust_policy, service_account_policy


def secrets_prefixes(cfg: StackConfig) -> tuple[str, ...]:
    """The Secrets Manager prefixes Airflow reads, or none when it does not use Secrets Manager."""
    backend = cfg.secrets_backend
    if backend.type != "aws-secrets-manager":
        return ()
    return (backend.connections_prefix, backend.variables_prefix, backend.config_prefix)


def dag_bundle(cfg: StackConfig) -> tuple[str, str] | None:
    """The S3 bucket and prefix of the DAG bundle, when DAGs come from S3."""
    if cfg.dags.source != "s3-bundle" or cfg.dags.s3 is None:
        return None
    return (cfg.dags.s3.bucket, cfg.dags.s3.prefix)


class ServiceAccountRoles(pulumi.ComponentResource):
    def __init__(
        self,
        name: str,
        cfg: StackConfig,
        names: Names,
        aws_names: AwsNames,
        *,
        cluster: EksCluster,
        logs_bucket: pulumi.Input[str],
        logs_key_arn: pulumi.Input[str],
        secrets_key_arn: pulumi.Input[str] | None,
        opts: pulumi.ResourceOptions,
    ):
        super().__init__("airflow-ha:aws:ServiceAccountRoles", name, None, opts)
        assert cfg.aws is not None
        child = pulumi.ResourceOptions(parent=self)
        region = cfg.aws.region
        prefixes = secrets_prefixes(cfg)
        namespace = cfg.kubernetes.namespace

        self.role_arns: dict[str, pulumi.Output[str]] = {}
        for component in IRSA_COMPONENTS:
            service_account = names.service_account(component)
            trust = pulumi.Output.all(cluster.oidc_provider_arn, cluster.oidc_issuer).apply(
                lambda args, sa=service_account: irsa_trust_policy(args[0], args[1], namespace, sa)
            )
            role = aws.iam.Role(
                f"{name}-{component}",
                name=aws_names.service_account_role(component),
                description=f"IRSA role of {namespace}/{service_account}",
                assume_role_policy=pulumi.Output.json_dumps(trust),
                opts=child,
            )
            policy = pulumi.Output.all(
                cluster.partition, cluster.account_id, logs_bucket, logs_key_arn, secrets_key_arn
            ).apply(
                lambda args, component=component: service_account_policy(
                    component,
                    partition=args[0],
                    region=region,
                    account_id=args[1],
                    logs_bucket=args[2],
                    logs_prefix=LOGS_PREFIX,
                    logs_key_arn=args[3],
                    secrets_prefixes=prefixes,
                    secrets_key_arn=args[4],
                    dag_bundle=dag_bundle(cfg),
                )
            )
            aws.iam.RolePolicy(
                f"{name}-{component}-access",
                name="airflow-access",
                role=role.id,
                policy=pulumi.Output.json_dumps(policy),
                opts=child,
            )
            self.role_arns[component] = role.arn
        self.register_outputs({"roleArns": self.role_arns})
