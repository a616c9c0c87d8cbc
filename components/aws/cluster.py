"""What the data plane needs to know about the existing EKS cluster and AWS account."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from .policies import oidc_provider_arn


@dataclass(frozen=True)
class EksCluster:
    name: str
    endpoint: pulumi.Output[str]
    ca_data: pulumi.Output[str]
    # The security group EKS attaches to the control plane and managed node groups: the
    # default (and only) source admitted to the database and the broker.
    security_group_id: pulumi.Output[str]
    oidc_issuer: pulumi.Output[str]
    # The cluster's IAM OIDC identity provider. It must already exist (``eksctl utils
    # associate-iam-oidc-provider`` or the cluster's own IaC): IRSA roles trust it.
    oidc_provider_arn: pulumi.Output[str]
    account_id: pulumi.Output[str]
    partition: pulumi.Output[str]


def lookup_cluster(cluster_name: str, parent: pulumi.Resource, provider: aws.Provider) -> EksCluster:
    invoke = pulumi.InvokeOutputOptions(parent=parent, provider=provider)
    cluster = aws.eks.get_cluster_output(name=cluster_name, opts=invoke)
    account_id = aws.get_caller_identity_output(opts=invoke).account_id
    partition = aws.get_partition_output(opts=invoke).partition
    issuer = cluster.identities.apply(lambda identities: identities[0].oidcs[0].issuer)
    return EksCluster(
        name=cluster_name,
        endpoint=cluster.endpoint,
        ca_data=cluster.certificate_authorities.apply(lambda authorities: authorities[0].data),
        security_group_id=cluster.vpc_config.cluster_security_group_id,
        oidc_issuer=issuer,
        oidc_provider_arn=pulumi.Output.all(partition, account_id, issuer).apply(lambda args: oidc_provider_arn(*args)),
        account_id=account_id,
        partition=partition,
    )
