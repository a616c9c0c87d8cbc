"""A security group that admits the EKS cluster, and nothing else, on one port."""

from __future__ import annotations

from collections.abc import Sequence

import pulumi
import pulumi_aws as aws


def cluster_only_security_group(
    name: str,
    *,
    group_name: str,
    description: str,
    vpc_id: str,
    port: int,
    sources: Sequence[pulumi.Input[str]],
    opts: pulumi.ResourceOptions,
) -> aws.ec2.SecurityGroup:
    """One ingress rule per source security group, TCP on ``port`` only, and no egress rule:
    a database or broker answers connections (security groups are stateful) and opens none.
    Rules are separate resources (the current idiom), so adding a source never replaces the group.
    """
    group = aws.ec2.SecurityGroup(
        name,
        # A prefix, not a fixed name: a group the database retains after `pulumi destroy` does not
        # block the next `pulumi up` of the same stack.
        name_prefix=f"{group_name}-",
        description=description,
        vpc_id=vpc_id,
        opts=opts,
    )
    for index, source in enumerate(sources):
        aws.vpc.SecurityGroupIngressRule(
            f"{name}-from-cluster-{index}",
            security_group_id=group.id,
            referenced_security_group_id=source,
            ip_protocol="tcp",
            from_port=port,
            to_port=port,
            description="Airflow pods on the EKS cluster",
            opts=opts,
        )
    return group
