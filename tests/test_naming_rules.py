"""Values that become Kubernetes or AWS names are refused, with the rule, when those systems would refuse them."""

from __future__ import annotations

import pytest

from components.config import name_syntax as syntax
from tests.support.stacks import problem_at, stack

CASES = [
    ("namespace with capitals", "dev", "kubernetes.namespace", {"kubernetes": {"namespace": "Airflow"}}, "DNS label"),
    ("namespace too long", "dev", "kubernetes.namespace", {"kubernetes": {"namespace": "a" * 64}}, "at most 63"),
    (
        "monitoring namespace with a dot",
        "dev",
        "kubernetes.monitoringNamespace",
        {"kubernetes": {"monitoringNamespace": "mon.itoring"}},
        "DNS label",
    ),
    (
        "ingress host with an underscore",
        "dev",
        "kubernetes.ingress.host",
        {"kubernetes": {"ingress": {"enabled": True, "host": "air_flow.example.com"}}},
        "DNS subdomain",
    ),
    (
        "ingress class with a slash",
        "dev",
        "kubernetes.ingress.className",
        {"kubernetes": {"ingress": {"enabled": True, "className": "alb/internal"}}},
        "DNS subdomain",
    ),
    (
        "release name too long for the local admin Job",
        "local",
        "kubernetes.releaseName",
        {"kubernetes": {"releaseName": "a" * 40}},
        "at most 37 characters",
    ),
    (
        "image repository with capitals",
        "dev",
        "airflow.image.repository",
        {"airflow": {"image": {"repository": "Example/Airflow"}}},
        "image repository",
    ),
    ("image tag with a space", "dev", "airflow.image.tag", {"airflow": {"image": {"tag": "3.2.2 rc"}}}, "image tag"),
    (
        "pull secret with capitals",
        "dev",
        "airflow.image.pullSecrets[0]",
        {"airflow": {"image": {"pullSecrets": ["RegCred"]}}},
        "DNS subdomain",
    ),
    (
        "node selector key with a space",
        "dev",
        "kubernetesExecutor.nodeSelector",
        {"kubernetesExecutor": {"nodeSelector": {"node pool": "tasks"}}},
        "label key",
    ),
    (
        "node selector value too long",
        "dev",
        "kubernetesExecutor.nodeSelector.pool",
        {"kubernetesExecutor": {"nodeSelector": {"pool": "x" * 64}}},
        "label value",
    ),
    (
        "toleration key with a bad prefix",
        "dev",
        "kubernetesExecutor.tolerations[0].key",
        {"kubernetesExecutor": {"tolerations": [{"key": "Example_Com/spot", "operator": "Exists"}]}},
        "prefix",
    ),
    (
        "AWS tag key in the reserved namespace",
        "dev",
        "aws.tags",
        {
            "aws": {
                "region": "eu-west-1",
                "vpcId": "vpc-0123456789abcdef0",
                "privateSubnetIds": ["subnet-0aaa1111bbbb22220"],
                "eksClusterName": "platform",
                "tags": {"aws:team": "data"},
            }
        },
        "not starting with 'aws:'",
    ),
    (
        "S3 DAG bucket with capitals",
        "dev",
        "dags.s3.bucket",
        {"dags": {"source": "s3-bundle", "s3": {"bucket": "Team_Dags"}}},
        "S3 bucket name",
    ),
    (
        "Secrets Manager prefix with a space",
        "dev",
        "secretsBackend.connectionsPrefix",
        {"secretsBackend": {"connectionsPrefix": "airflow connections"}},
        "Secrets Manager name prefix",
    ),
]


@pytest.mark.parametrize(("tier", "key", "sections", "rule"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_a_name_the_target_system_refuses_is_refused_with_its_rule(tier, key, sections, rule):
    assert rule in problem_at(tier, key, **sections)


def test_names_that_follow_the_rules_are_accepted():
    cfg = stack(
        "dev",
        kubernetes={
            "namespace": "data-airflow",
            "monitoringNamespace": "monitoring",
            "ingress": {"enabled": True, "host": "*.airflow.example.com", "className": "alb"},
        },
        airflow={
            "image": {"repository": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/airflow", "tag": "3.2.2-b7"}
        },
        kubernetesExecutor={
            "nodeSelector": {"karpenter.sh/capacity-type": "spot"},
            "tolerations": [{"key": "example.com/spot", "operator": "Exists"}],
        },
        dags={"source": "s3-bundle", "s3": {"bucket": "team-dags.eu-west-1"}},
    )
    assert cfg.kubernetes.namespace == "data-airflow"


@pytest.mark.parametrize(
    "name", ["192.168.1.1", "xn--bucket", "bucket-s3alias", "a..b", "ab", "-bucket", "bucket-", "b" * 64]
)
def test_s3_reserved_and_malformed_bucket_names(name):
    assert syntax.s3_bucket(name) is not None


def test_a_registry_with_a_port_is_a_valid_repository():
    assert syntax.image_repository("registry.local:5000/airflow/custom") is None
    assert syntax.image_repository("localhost/airflow") is None
