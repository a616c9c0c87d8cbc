"""Security groups of the data stores (they admit the cluster, or Airflow's pods, on one port) and,
with ``aws.securityGroupsForPods``, the security group of Airflow's pods."""

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


def pods_security_group(
    name: str, *, group_name: str, vpc_id: str, opts: pulumi.ResourceOptions
) -> aws.ec2.SecurityGroup:
    """What the VPC CNI puts on the branch ENI of each Airflow pod (``SecurityGroupPolicy``), next to
    the node-level groups the pods keep for everything else. It admits nothing itself; the data
    stores admit it. Egress is open, as a pod's is without it (S3, the Kubernetes API, the stores)."""
    group = aws.ec2.SecurityGroup(
        name,
        name_prefix=f"{group_name}-",
        description="Airflow pods: admitted by the metadata database and the Celery broker",
        vpc_id=vpc_id,
        opts=opts,
    )
    # A group the provider creates has no egress rule at all (it removes AWS's default).
    aws.vpc.SecurityGroupEgressRule(
        f"{name}-egress",
        security_group_id=group.id,
        ip_protocol="-1",
        cidr_ipv4="0.0.0.0/0",
        description="Airflow pods reach what they reach without a pod security group",
        opts=opts,
    )
    return group
