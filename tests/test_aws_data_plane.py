"""The data plane as a whole: who may connect, what stays secret, what exists per executor,
which provider creates it, and what it hands to the Kubernetes layer."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest

from components.args import LocalTier, platform_args
from components.plan.engine import SECRET
from components.plan.standins.aws import CLUSTER_SECURITY_GROUP
from tests.support.programs import (
    AUTH_TOKEN_SENTINEL,
    DB_PASSWORD_SENTINEL,
    is_secret,
    plaintext_forms,
    resolved,
    run_data_plane,
)
from tests.support.stacks import raw_values, stack

SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
LEGACY_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"


@pytest.fixture(scope="module")
def prod():
    return run_data_plane("prod")


def _rules_of(plane, group_name: str):
    return [r for r in plane.of_type(INGRESS) if r.name.startswith(f"{group_name}-")]


class TestSecurityGroups:
    @pytest.mark.parametrize(("group", "port"), [("prod-aws-database-sg", 5432), ("prod-aws-broker-sg", 6379)])
    def test_only_the_cluster_security_group_on_the_one_port(self, prod, group, port):
        rules = _rules_of(prod, group)
        assert len(rules) == 1
        (rule,) = rules
        assert rule.inputs["referencedSecurityGroupId"] == CLUSTER_SECURITY_GROUP
        assert (rule.inputs["ipProtocol"], rule.inputs["fromPort"], rule.inputs["toPort"]) == ("tcp", port, port)
        assert rule.inputs["securityGroupId"] == f"{group}-id"
        assert "cidrIpv4" not in rule.inputs
        assert "cidrIpv6" not in rule.inputs

    def test_no_other_way_in_or_out(self, prod):
        assert prod.of_type(EGRESS) == []
        assert prod.of_type(LEGACY_RULE) == []
        for group in prod.of_type(SECURITY_GROUP):
            assert "ingress" not in group.inputs
            assert "egress" not in group.inputs
        assert all(not rule.inputs.get("cidrIpv4") for rule in prod.of_type(INGRESS))
        assert "0.0.0.0/0" not in json.dumps([r.inputs for r in prod.aws_registrations()])

    def test_configured_sources_replace_the_cluster_default(self):
        sources = ["sg-0aaaaaaaaaaaaaaa1", "sg-0bbbbbbbbbbbbbbb2"]
        plane = run_data_plane(
            "prod",
            aws={
                "region": "eu-west-1",
                "vpcId": "vpc-0123456789abcdef0",
                "privateSubnetIds": ["subnet-0aaa1111bbbb22220", "subnet-0aaa1111bbbb22221"],
                "eksClusterName": "platform",
                "clusterSecurityGroupIds": sources,
            },
        )
        for group, port in (("prod-aws-database-sg", 5432), ("prod-aws-broker-sg", 6379)):
            rules = _rules_of(plane, group)
            assert sorted(r.inputs["referencedSecurityGroupId"] for r in rules) == sources
            assert {(r.inputs["fromPort"], r.inputs["toPort"]) for r in rules} == {(port, port)}

    def test_stores_use_their_groups_and_private_subnets(self, prod):
        assert prod.run.named("prod-aws-database-instance").inputs["vpcSecurityGroupIds"] == ["prod-aws-database-sg-id"]
        assert prod.run.named("prod-aws-broker-redis").inputs["securityGroupIds"] == ["prod-aws-broker-sg-id"]
        for group in prod.of_type(SECURITY_GROUP):
            assert group.inputs["vpcId"] == "vpc-0123456789abcdef0"


class TestSecrets:
    def test_generated_secrets_never_registered_in_plaintext(self, prod):
        registered = json.dumps([r.inputs for r in prod.run.registrations])
        for sentinel in (DB_PASSWORD_SENTINEL, AUTH_TOKEN_SENTINEL):
            for form in plaintext_forms(sentinel):
                assert form not in registered

    def test_the_sentinels_did_reach_the_stores(self, prod):
        # Proves the test above looked at the real values: they are what the outputs carry.
        assert resolved(prod.outputs.database.password) == DB_PASSWORD_SENTINEL
        assert AUTH_TOKEN_SENTINEL in resolved(prod.outputs.broker_url)
        assert prod.run.named("prod-aws-database-instance").inputs["password"] == SECRET
        assert prod.run.named("prod-aws-broker-redis").inputs["authToken"] == SECRET

    def test_outputs_carrying_credentials_are_secret(self, prod):
        assert is_secret(prod.outputs.database.password)
        assert is_secret(prod.outputs.broker_url)

    def test_password_alphabet_is_url_safe(self, prod):
        password = prod.run.named("prod-aws-database-password").inputs
        assert password["overrideSpecial"] == "-_.~"
        assert quote(password["overrideSpecial"], safe="") == password["overrideSpecial"]
        token = prod.run.named("prod-aws-broker-auth-token").inputs
        assert token["special"] is False
        assert 32 <= token["length"] <= 64

    def test_broker_url(self, prod):
        assert resolved(prod.outputs.broker_url) == (
            f"rediss://:{AUTH_TOKEN_SENTINEL}@master.airflow-prod-broker.abc123.euw1.cache.amazonaws.com"
            ":6379/0?ssl_cert_reqs=required"
        )


class TestExecutors:
    def test_kubernetes_executor_only_creates_no_elasticache(self):
        plane = run_data_plane("dev", executor="KubernetesExecutor")
        assert [r.type for r in plane.aws_registrations() if r.type.startswith("aws:elasticache/")] == []
        assert [r.name for r in plane.run.registrations if "broker" in r.name] == []
        assert plane.outputs.broker_url is None

    def test_multi_executor_has_a_broker(self):
        plane = run_data_plane("staging", executor="CeleryExecutor,KubernetesExecutor")
        assert len(plane.of_type("aws:elasticache/replicationGroup:ReplicationGroup")) == 1
        assert plane.outputs.broker_url is not None


class TestProvider:
    def test_every_aws_resource_uses_the_explicit_provider(self, prod):
        provider = prod.run.named("prod-aws-provider")
        assert provider.type == "pulumi:providers:aws"
        expected = f"{provider.urn}::prod-aws-provider-id"
        for registration in prod.aws_registrations():
            assert prod.mocks.resource_providers[registration.name] == expected, registration.name

    def test_lookups_use_it_too(self, prod):
        expected = f"{prod.run.named('prod-aws-provider').urn}::prod-aws-provider-id"
        for token in ("aws:eks/getCluster:getCluster", "aws:index/getCallerIdentity:getCallerIdentity"):
            assert prod.mocks.invoke_providers[token] == expected

    def test_region_and_tags(self):
        plane = run_data_plane(
            "prod",
            aws={
                "region": "us-east-2",
                "vpcId": "vpc-0123456789abcdef0",
                "privateSubnetIds": ["subnet-0aaa1111bbbb22220", "subnet-0aaa1111bbbb22221"],
                "eksClusterName": "platform",
                "tags": {"team": "data", "airflow-ha:stack": "spoofed"},
            },
        )
        inputs = plane.run.named("prod-aws-provider").inputs
        assert inputs["region"] == "us-east-2"
        assert json.loads(inputs["defaultTags"])["tags"] == {
            "team": "data",
            "airflow-ha:stack": "prod",
            "airflow-ha:tier": "prod",
            "airflow-ha:release": "airflow",
            "managed-by": "pulumi",
        }

    def test_children_are_parented(self, prod):
        components = {
            "prod-aws",
            "prod-aws-database",
            "prod-aws-broker",
            "prod-aws-logs",
            "prod-aws-irsa",
            "prod-aws-metadata-export",
        }
        for registration in prod.run.registrations:
            if registration.name != "prod-aws":
                assert registration.parent in components, registration.name


class TestOutputs:
    def test_what_the_kubernetes_layer_needs(self, prod):
        plane = prod.outputs
        assert resolved(plane.database.host) == "airflow-prod-metadata.c9akciq32.eu-west-1.rds.amazonaws.com"
        assert resolved(plane.database.port) == 5432
        assert (plane.database.db_name, plane.database.username) == ("airflow", "airflow")
        assert resolved(plane.logs_bucket) == "airflow-prod-logs-123456789012"
        assert (plane.eks.name, plane.eks.region, plane.region) == ("platform", "eu-west-1", "eu-west-1")
        assert resolved(plane.eks.endpoint).startswith("https://")
        assert resolved(plane.eks.ca_data) == "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg=="
        assert {component: resolved(arn) for component, arn in plane.role_arns.items()} == {
            "scheduler": "arn:aws:iam::123456789012:role/airflow-prod-scheduler",
            "apiServer": "arn:aws:iam::123456789012:role/airflow-prod-api-server",
            "triggerer": "arn:aws:iam::123456789012:role/airflow-prod-triggerer",
            "dagProcessor": "arn:aws:iam::123456789012:role/airflow-prod-dag-processor",
            "workers": "arn:aws:iam::123456789012:role/airflow-prod-worker",
            "databaseCleanup": "arn:aws:iam::123456789012:role/airflow-prod-database-cleanup",
        }

    def test_secrets_manager_target_only_with_secrets_manager(self, prod):
        target = prod.outputs.secrets_manager
        assert target is not None
        assert resolved(target.kms_key_arn).startswith("arn:aws:kms:eu-west-1:123456789012:key/prod-aws-key")
        assert resolved(target.provider.urn) == prod.run.named("prod-aws-provider").urn
        plain = run_data_plane("dev", secretsBackend={"type": "none"})
        assert plain.outputs.secrets_manager is None


def test_the_local_tier_has_no_data_plane_arguments():
    assert isinstance(platform_args(stack("local")).tier, LocalTier)


def test_the_local_stack_creates_no_aws_resource():
    from components.plan.engine import run_under_mocks
    from components.program import main

    run = run_under_mocks(main, project="airflow-ha", stack="local", config=raw_values("local"))
    assert run.registrations, "the local program registered nothing"
    assert [r.name for r in run.registrations if r.type.startswith(("aws:", "pulumi:providers:aws"))] == []
