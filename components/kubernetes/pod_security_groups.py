"""The VPC CNI's ``SecurityGroupPolicy`` that gives Airflow's pods their security group
(``aws.securityGroupsForPods``).

EKS serves the ``vpcresources.k8s.aws`` CRD on every cluster; the VPC CNI acts on it only with
``ENABLE_POD_ENI=true``, on instance types with trunk ENIs. Every pod of the release and the kit's
Jobs carries ``tier: airflow``: the policy selects them all, so whatever talks to RDS or Redis
(PgBouncer, the migration Job, the scheduler, the workers) has the group the stores admit.
"""

from __future__ import annotations

from collections.abc import Sequence

import pulumi
import pulumi_kubernetes as kubernetes

from ..naming.kubernetes import Names

API_VERSION = "vpcresources.k8s.aws/v1beta1"
KIND = "SecurityGroupPolicy"
POD_LABELS = {"tier": "airflow"}


def security_group_policy(
    name: str,
    names: Names,
    namespace: pulumi.Input[str],
    group_ids: Sequence[pulumi.Input[str]],
    opts: pulumi.ResourceOptions,
) -> kubernetes.apiextensions.CustomResource:
    return kubernetes.apiextensions.CustomResource(
        name,
        api_version=API_VERSION,
        kind=KIND,
        metadata={"name": f"{names.release}-airflow-pods", "namespace": namespace},
        spec={"podSelector": {"matchLabels": POD_LABELS}, "securityGroups": {"groupIds": list(group_ids)}},
        opts=opts,
    )
