"""``aws.securityGroupsForPods``: the data stores admit only the security group of Airflow's pods."""

from __future__ import annotations

from components.config.errors import PROJECT
from components.plan.engine import run_under_mocks
from components.plan.standins.aws import CLUSTER_SECURITY_GROUP
from components.values.database_access import POD_SECURITY_GROUP_ANNOTATION
from tests.support.programs import airflow_program, resolved, run_data_plane
from tests.support.stacks import AWS_SECTION, stack

INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
POLICY = "kubernetes:vpcresources.k8s.aws/v1beta1:SecurityGroupPolicy"
PODS_GROUP_ID = "prod-aws-pods-sg-id"  # the stand-in id of the kit's pod security group
WITH_POD_GROUPS = {**AWS_SECTION, "securityGroupsForPods": True}


def test_the_stores_admit_the_pods_group_and_not_the_nodes():
    plane = run_data_plane("prod", aws=WITH_POD_GROUPS)
    pods = plane.run.named("prod-aws-pods-sg")
    assert pods.inputs["namePrefix"].startswith("airflow-prod-pods-")
    for group, port in (("prod-aws-database-sg", 5432), ("prod-aws-broker-sg", 6379)):
        rules = [r for r in plane.of_type(INGRESS) if r.name.startswith(f"{group}-")]
        assert [r.inputs["referencedSecurityGroupId"] for r in rules] == [PODS_GROUP_ID]
        assert {(r.inputs["fromPort"], r.inputs["toPort"]) for r in rules} == {(port, port)}
    [egress] = plane.of_type(EGRESS)
    assert egress.inputs["securityGroupId"] == PODS_GROUP_ID  # the stores themselves open nothing
    # The pods keep the nodes' group next to their own: kubelet probes, DNS and the other pods.
    assert [resolved(group) for group in plane.outputs.pod_security_groups] == [PODS_GROUP_ID, CLUSTER_SECURITY_GROUP]
    assert any("ENABLE_POD_ENI=true" in warning for warning in plane.run.warnings)


def test_off_by_default_the_stores_admit_the_cluster_group():
    plane = run_data_plane("prod")
    assert plane.outputs.pod_security_groups is None
    assert sorted(r.name for r in plane.of_type(SECURITY_GROUP)) == ["prod-aws-broker-sg", "prod-aws-database-sg"]
    rules = plane.of_type(INGRESS)
    assert {r.inputs["referencedSecurityGroupId"] for r in rules} == {CLUSTER_SECURITY_GROUP}
    assert not any("ENABLE_POD_ENI" in warning for warning in plane.run.warnings)


def test_every_airflow_pod_gets_the_group_before_it_starts():
    cfg = stack("prod", aws=WITH_POD_GROUPS)
    program = airflow_program(cfg)
    run = run_under_mocks(program, project=PROJECT, stack=cfg.stack, config={})
    [policy] = run.of_type(POLICY)
    assert policy.inputs["spec"]["podSelector"] == {"matchLabels": {"tier": "airflow"}}
    group_ids = policy.inputs["spec"]["securityGroups"]["groupIds"]
    assert group_ids[0] == "sg-0a1b2c3d4e5f60001"  # the stand-in's pod group, then the nodes' groups
    assert len(group_ids) >= 2
    assert policy.name in run.named("test-airflow-migrate").depends_on
    assert policy.name in run.named("test-airflow-release").depends_on
    # The migration Job's pods match the selector too.
    assert run.named("test-airflow-migrate").inputs["spec"]["template"]["metadata"]["labels"]["tier"] == "airflow"
    values = run.named("test-airflow-release").inputs["values"]
    assert values["airflowPodAnnotations"][POD_SECURITY_GROUP_ANNOTATION] == "sg-0a1b2c3d4e5f60001"
    assert values["pgbouncer"]["podAnnotations"][POD_SECURITY_GROUP_ANNOTATION] == "sg-0a1b2c3d4e5f60001"
