"""`airflow-ha preflight` against moto_server through the real boto3 calls, the Vault stand-in and a
Kubernetes API stand-in: every check passes on a good account and fails on its own seeded fault.

moto lacks four of the calls (RDS engine versions, orderable options for PostgreSQL, ElastiCache
engine versions and node-type offerings); the aws-gaps stand-in answers those from GAPS_SPEC and
passes the rest to moto (tests/support/ops_standins.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from components.ops.errors import Exit
from tests.ops.accounts import (
    CREDENTIALS,
    EKS_CONTEXT,
    GAPS_SPEC,
    Account,
    prod_stack_config,
    seed_account,
    write_stack,
)
from tests.ops.cli import Run, run
from tests.support.ops_servers import aws_gaps, kubernetes_api
from tests.support.servers import moto_server, vault_standin

KUBE_TOKEN = "preflight-reader-token"
VAULT_OPERATOR_TOKEN = "s.preflight-operator"
CLUSTER = {
    "token": KUBE_TOKEN,
    "crds": ["scaledobjects.keda.sh", "prometheusrules.monitoring.coreos.com", "servicemonitors.monitoring.coreos.com"],
    "ingress_classes": ["nginx"],
    "namespaces": ["monitoring", "airflow"],
}
VAULT = {
    "auth_mount": "kubernetes",
    "role": "airflow-preflight",
    "jwt": "unused",
    "policy_paths": [],
    "secrets": {},
    "kv_engine_version": 2,
    "operator_token": VAULT_OPERATOR_TOKEN,
    "auth_mounts": {"kubernetes/": {"type": "kubernetes"}, "token/": {"type": "token"}},
    "secret_mounts": {"airflow/": {"type": "kv", "options": {"version": "2"}}, "kv1/": {"type": "kv", "options": {}}},
}


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    workdir = tmp_path_factory.mktemp("preflight")
    with (
        moto_server(workdir) as moto,
        aws_gaps(workdir, moto, GAPS_SPEC) as endpoint,
        kubernetes_api(workdir, CLUSTER, EKS_CONTEXT) as kubeconfig,
        vault_standin(workdir, VAULT) as (vault, _),
    ):
        yield {"account": seed_account(moto, endpoint), "kubeconfig": kubeconfig, "vault": vault}


@pytest.fixture(scope="module")
def good_config(servers: dict[str, Any]) -> dict[str, Any]:
    return prod_stack_config(servers["account"])


def preflight(servers: dict[str, Any], stack_file: Path, **env: str | None) -> Run:
    environment: dict[str, str | None] = {
        **CREDENTIALS,
        "AWS_ENDPOINT_URL": servers["account"].endpoint,
        "KUBECONFIG": str(servers["kubeconfig"]),
        "VAULT_ADDR": None,
        "VAULT_TOKEN": None,
        **env,
    }
    return run("preflight", "--stack-file", str(stack_file), "--output", "json", env=environment)


def verdicts(result: Run) -> dict[tuple[str, str], str]:
    return {(check["area"], check["check"]): check["verdict"] for check in result.document["checks"]}


def failures(result: Run) -> dict[tuple[str, str], dict[str, str]]:
    return {(c["area"], c["check"]): c for c in result.document["checks"] if c["verdict"] == "fail"}


def test_a_good_account_passes_every_check(
    servers: dict[str, Any], good_config: dict[str, Any], tmp_path: Path
) -> None:
    result = preflight(servers, write_stack(tmp_path, "preflight", good_config))
    assert result.exit_code == Exit.OK, result.stdout
    assert result.document["ok"] is True
    checked = verdicts(result)
    assert set(checked.values()) == {"pass"}, checked
    expected = {
        ("aws", "credentials"),
        ("network", "VPC"),
        ("network", "zones"),
        ("eks", "cluster"),
        ("eks", "IAM OIDC provider"),
        ("rds", "engine version"),
        ("rds", "instance class"),
        ("elasticache", "engine version"),
        ("elasticache", "node type"),
        ("kms", "airflow-ha:database.kmsKeyArn"),
        ("s3", "DAG bucket"),
        ("secrets", "connections"),
        ("secrets", "variables"),
        ("kubernetes", "API"),
        ("kubernetes", "KEDA"),
        ("kubernetes", "IngressClass"),
        ("kubernetes", "monitoring namespace"),
    }
    assert expected <= set(checked)
    details = {(c["area"], c["check"]): c["detail"] for c in result.document["checks"]}
    assert "Kubernetes 1." in details[("eks", "cluster")]  # moto's cluster version, reported
    assert "eu-west-1a, eu-west-1b" in details[("network", "zones")]
    assert "1 under airflow/preflight/connections/" in details[("secrets", "connections")]


def _faults(account: Account) -> list[tuple[str, dict[str, Any], tuple[str, str], str]]:
    """(what, stack change, the one check that must fail, words of its message)."""
    aws = "airflow-ha:aws"
    return [
        ("missing VPC", {aws: {"vpcId": "vpc-0123456789abcdef0"}}, ("network", "VPC"), "does not exist"),
        (
            "a subnet of another VPC",
            {aws: {"privateSubnetIds": [*account.subnets, account.other_vpc_subnet]}},
            ("network", "subnets"),
            f"are not in {account.vpc_id}",
        ),
        ("one AZ in prod", {aws: {"privateSubnetIds": account.one_zone_subnets}}, ("network", "zones"), "needs two"),
        ("no such cluster", {aws: {"eksClusterName": "nope"}}, ("eks", "cluster"), "nope"),
        ("engine not offered", {"airflow-ha:database": {"engineVersion": "14"}}, ("rds", "engine version"), "14"),
        (
            "class without Multi-AZ",
            {"airflow-ha:database": {"instanceClass": "db.r6g.large"}},
            ("rds", "instance class"),
            "not offered with Multi-AZ",
        ),
        (
            "class not orderable",
            {"airflow-ha:database": {"instanceClass": "db.r5.xlarge"}},
            ("rds", "instance class"),
            "cannot be ordered",
        ),
        ("redis version", {"airflow-ha:redis": {"engineVersion": "6.2"}}, ("elasticache", "engine version"), "6.2"),
        ("node type", {"airflow-ha:redis": {"nodeType": "cache.r5.large"}}, ("elasticache", "node type"), "r5"),
        (
            "disabled KMS key",
            {"airflow-ha:database": {"kmsKeyArn": account.disabled_kms_key}},
            ("kms", "airflow-ha:database.kmsKeyArn"),
            "is Disabled",
        ),
        (
            "missing DAG bucket",
            {"airflow-ha:dags": {"source": "s3-bundle", "s3": {"bucket": "no-such-dags", "prefix": "dags/"}}},
            ("s3", "DAG bucket"),
            "bucket",
        ),
        (
            "no IngressClass",
            {
                "airflow-ha:kubernetes": {
                    "ingress": {
                        "enabled": True,
                        "className": "traefik",
                        "host": "a.example.com",
                        "tls": {"certManager": {"clusterIssuer": "x"}},
                    }
                }
            },
            ("kubernetes", "IngressClass"),
            "traefik",
        ),
        (
            "no monitoring namespace",
            {"airflow-ha:kubernetes": {"monitoringNamespace": "prometheus"}},
            ("kubernetes", "monitoring namespace"),
            "prometheus",
        ),
    ]


FAULTS = [fault[0] for fault in _faults(Account("", "", [], [], "", "", "", "", "", ""))]


@pytest.mark.parametrize("fault", FAULTS)
def test_each_check_fails_on_its_fault_alone(
    fault: str, servers: dict[str, Any], good_config: dict[str, Any], tmp_path: Path
) -> None:
    _, change, check, words = next(f for f in _faults(servers["account"]) if f[0] == fault)
    result = preflight(servers, write_stack(tmp_path, "preflight", good_config, change))
    assert result.exit_code == Exit.FAILED, result.stdout
    assert result.document["ok"] is False
    failed = failures(result)
    # A cluster that does not exist has no kubeconfig context either: the cluster side fails too.
    also = [("kubernetes", "API")] if fault == "no such cluster" else []
    assert list(failed) == [check, *also], failed
    assert words in failed[check]["detail"]
    assert failed[check]["remedy"]


@pytest.fixture
def without_oidc_provider(servers: dict[str, Any]) -> Iterator[None]:
    """The account with the cluster's IAM OIDC provider deleted, for one test. (moto gives every
    cluster the same issuer, so a second cluster cannot stand for "a cluster without one".)"""
    iam = servers["account"].client("iam")
    arn = iam.list_open_id_connect_providers()["OpenIDConnectProviderList"][0]["Arn"]
    provider = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)
    iam.delete_open_id_connect_provider(OpenIDConnectProviderArn=arn)
    yield
    iam.create_open_id_connect_provider(
        Url=f"https://{provider['Url']}",
        ClientIDList=provider["ClientIDList"],
        ThumbprintList=provider["ThumbprintList"],
    )


@pytest.mark.usefixtures("without_oidc_provider")
def test_a_cluster_without_an_oidc_provider_fails(
    servers: dict[str, Any], good_config: dict[str, Any], tmp_path: Path
) -> None:
    result = preflight(servers, write_stack(tmp_path, "preflight", good_config))
    failed = failures(result)
    assert list(failed) == [("eks", "IAM OIDC provider")]
    assert "IRSA roles cannot be assumed" in failed[("eks", "IAM OIDC provider")]["detail"]
    assert failed[("eks", "IAM OIDC provider")]["remedy"] == (
        "eksctl utils associate-iam-oidc-provider --cluster platform --approve"
    )


def test_no_keda_crd_fails_the_keda_check(good_config: dict[str, Any], servers: dict[str, Any], tmp_path: Path) -> None:
    without_keda = [crd for crd in CLUSTER["crds"] if crd != "scaledobjects.keda.sh"]
    with kubernetes_api(tmp_path, {**CLUSTER, "crds": without_keda}, EKS_CONTEXT) as kubeconfig:
        result = preflight(servers, write_stack(tmp_path, "preflight", good_config), KUBECONFIG=str(kubeconfig))
    assert list(failures(result)) == [("kubernetes", "KEDA")]
    assert "keda.sh" in failures(result)[("kubernetes", "KEDA")]["detail"]


def test_monitoring_without_the_prometheus_operator_fails_before_pulumi_up(
    good_config: dict[str, Any], servers: dict[str, Any], tmp_path: Path
) -> None:
    assert good_config["airflow-ha:monitoring"]["prometheus"]["enabled"] is True  # the shipped prod stack
    cluster = {**CLUSTER, "crds": ["scaledobjects.keda.sh", "servicemonitors.monitoring.coreos.com"]}
    with kubernetes_api(tmp_path, cluster, EKS_CONTEXT) as kubeconfig:
        result = preflight(servers, write_stack(tmp_path, "preflight", good_config), KUBECONFIG=str(kubeconfig))
    failed = failures(result)
    assert list(failed) == [("kubernetes", "Prometheus Operator")]
    assert "prometheusrules.monitoring.coreos.com" in failed[("kubernetes", "Prometheus Operator")]["detail"]
    assert "monitoring.prometheus.enabled: false" in failed[("kubernetes", "Prometheus Operator")]["remedy"]


def test_a_token_the_cluster_refuses_is_one_failure_with_the_remedy(
    good_config: dict[str, Any], servers: dict[str, Any], tmp_path: Path
) -> None:
    with kubernetes_api(tmp_path, {**CLUSTER, "token": "another-token"}, EKS_CONTEXT) as kubeconfig:
        kubeconfig.write_text(kubeconfig.read_text().replace('"another-token"', '"stale-token"'))
        result = preflight(servers, write_stack(tmp_path, "preflight", good_config), KUBECONFIG=str(kubeconfig))
    failed = failures(result)
    assert list(failed) == [("kubernetes", "API")]
    assert "401" in failed[("kubernetes", "API")]["detail"]


def test_bad_aws_credentials_stop_the_aws_checks(
    good_config: dict[str, Any], servers: dict[str, Any], tmp_path: Path
) -> None:
    result = preflight(
        servers,
        write_stack(tmp_path, "preflight", good_config),
        AWS_ACCESS_KEY_ID=None,
        AWS_SECRET_ACCESS_KEY=None,
        AWS_SHARED_CREDENTIALS_FILE="/nonexistent",
        AWS_CONFIG_FILE="/nonexistent",
        AWS_EC2_METADATA_DISABLED="true",
    )
    checked = verdicts(result)
    assert checked[("aws", "credentials")] == "fail"
    assert not any(area in {"network", "eks", "rds"} for area, _ in checked)
    assert checked[("kubernetes", "API")] == "pass"  # the cluster side is still checked


def _vault_stack(good_config: dict[str, Any], tmp_path: Path, **vault: Any) -> Path:
    change = {
        "airflow-ha:secretsBackend": {"type": "vault"},
        "airflow-ha:vault": {"role": "airflow-preflight", **vault},
        # Encrypted in a real stack file; the command reads VAULT_ADDR instead.
        "airflow-ha:vaultAddress": {"secure": "v1:encrypted-vault-address"},
    }
    return write_stack(tmp_path, "preflight", good_config, change)


def test_vault_health_auth_and_kv_mounts_pass(
    good_config: dict[str, Any], servers: dict[str, Any], tmp_path: Path
) -> None:
    result = preflight(
        servers, _vault_stack(good_config, tmp_path), VAULT_ADDR=servers["vault"], VAULT_TOKEN=VAULT_OPERATOR_TOKEN
    )
    checked = verdicts(result)
    assert checked[("vault", "health")] == "pass"
    assert checked[("vault", "kubernetes auth")] == "pass"
    assert checked[("vault", "KV mount")] == "pass"
    assert result.exit_code == Exit.OK, result.stdout


@pytest.mark.parametrize(
    ("vault", "check", "words"),
    [
        ({"authMountPath": "k8s-prod"}, "kubernetes auth", "auth/k8s-prod"),
        ({"authMountPath": "token"}, "kubernetes auth", "it is token"),
        ({"kvMountPoint": "secret"}, "KV mount", "no KV secrets engine at secret/"),
        ({"kvMountPoint": "kv1"}, "KV mount", "KV version 1"),
    ],
)
def test_each_vault_fault_fails_its_check(
    vault: dict[str, Any], check: str, words: str, good_config: dict[str, Any], servers: dict[str, Any], tmp_path: Path
) -> None:
    result = preflight(
        servers,
        _vault_stack(good_config, tmp_path, **vault),
        VAULT_ADDR=servers["vault"],
        VAULT_TOKEN=VAULT_OPERATOR_TOKEN,
    )
    failed = failures(result)
    assert list(failed) == [("vault", check)]
    assert words in failed[("vault", check)]["detail"]


def test_vault_without_an_address_or_with_a_refused_token(
    good_config: dict[str, Any], servers: dict[str, Any], tmp_path: Path
) -> None:
    stack = _vault_stack(good_config, tmp_path)
    assert list(failures(preflight(servers, stack))) == [("vault", "address")]
    refused = failures(preflight(servers, stack, VAULT_ADDR=servers["vault"], VAULT_TOKEN="s.wrong"))
    assert list(refused) == [("vault", "health")]
    assert "VAULT_TOKEN" in refused[("vault", "health")]["remedy"]


def test_text_output_shows_each_verdict_and_remedy(
    good_config: dict[str, Any], servers: dict[str, Any], tmp_path: Path
) -> None:
    stack = write_stack(
        tmp_path,
        "preflight",
        good_config,
        {"airflow-ha:aws": {"vpcId": "vpc-0123456789abcdef0"}},
    )
    result = run(
        "preflight",
        "--stack-file",
        str(stack),
        env={**CREDENTIALS, "AWS_ENDPOINT_URL": servers["account"].endpoint, "KUBECONFIG": str(servers["kubeconfig"])},
    )
    lines = result.stdout.splitlines()
    assert any(line.startswith("FAIL  network / VPC: airflow-ha:aws.vpcId vpc-0123456789abcdef0") for line in lines)
    assert any(line.strip() == "-> set it to the VPC of the EKS cluster (aws ec2 describe-vpcs)" for line in lines)
    assert any(line.startswith("PASS  eks / cluster") for line in lines)
    assert lines[-1].startswith("FAILED: 18 checks, 1 failed")


def test_a_kubeconfig_without_the_stacks_cluster_is_refused_not_guessed(
    good_config: dict[str, Any], servers: dict[str, Any], tmp_path: Path
) -> None:
    elsewhere = "arn:aws:eks:eu-west-1:123456789012:cluster/another-team"
    with kubernetes_api(tmp_path, CLUSTER, elsewhere) as kubeconfig:
        result = preflight(servers, write_stack(tmp_path, "preflight", good_config), KUBECONFIG=str(kubeconfig))
    failed = failures(result)
    assert list(failed) == [("kubernetes", "API")]
    assert failed[("kubernetes", "API")]["detail"] == (
        "no kubeconfig context for the EKS cluster platform (current context: kind-elsewhere)"
    )
    assert "aws eks update-kubeconfig --name platform --region eu-west-1" in failed[("kubernetes", "API")]["remedy"]


def test_a_public_subnet_is_a_warning_with_the_remedy(
    good_config: dict[str, Any], servers: dict[str, Any], tmp_path: Path
) -> None:
    account = servers["account"]
    change = {"airflow-ha:aws": {"privateSubnetIds": [*account.subnets, account.public_subnet]}}
    result = preflight(servers, write_stack(tmp_path, "preflight", good_config, change))
    assert result.exit_code == Exit.OK  # a warning does not stop `pulumi up`
    warnings = [c for c in result.document["checks"] if c["verdict"] == "warn"]
    assert [(c["area"], c["check"]) for c in warnings] == [("network", "subnets")]
    assert warnings[0]["detail"] == f"{account.public_subnet} route to an internet gateway: they are public subnets"
    assert "private subnets" in warnings[0]["remedy"]


@pytest.mark.parametrize(
    ("cluster", "verdict", "words"),
    [
        (
            {
                "crds": [*CLUSTER["crds"], "securitygrouppolicies.vpcresources.k8s.aws"],
                "daemon_sets": {"kube-system/aws-node": {"ENABLE_POD_ENI": "true"}},
            },
            "pass",
            "ENABLE_POD_ENI=true",
        ),
        (
            {
                "crds": [*CLUSTER["crds"], "securitygrouppolicies.vpcresources.k8s.aws"],
                "daemon_sets": {"kube-system/aws-node": {"ENABLE_POD_ENI": "false"}},
            },
            "fail",
            "would stay Pending",
        ),
        ({"daemon_sets": {"kube-system/aws-node": {"ENABLE_POD_ENI": "true"}}}, "fail", "no securitygrouppolicies"),
    ],
)
def test_security_groups_for_pods_need_branch_enis(
    good_config: dict[str, Any],
    servers: dict[str, Any],
    tmp_path: Path,
    cluster: dict[str, Any],
    verdict: str,
    words: str,
) -> None:
    config = {**good_config, "airflow-ha:aws": {**good_config["airflow-ha:aws"], "securityGroupsForPods": True}}
    with kubernetes_api(tmp_path, {**CLUSTER, **cluster}, EKS_CONTEXT) as kubeconfig:
        result = preflight(servers, write_stack(tmp_path, "preflight", config), KUBECONFIG=str(kubeconfig))
    [finding] = [c for c in result.document["checks"] if c["check"] == "pod security groups"]
    assert finding["verdict"] == verdict
    assert words in finding["detail"]
    if verdict == "fail":
        assert "ENABLE_POD_ENI=true" in finding["remedy"]
        assert list(failures(result)) == [("kubernetes", "pod security groups")]


def test_pod_security_groups_are_not_checked_when_off(
    good_config: dict[str, Any], servers: dict[str, Any], tmp_path: Path
) -> None:
    result = preflight(servers, write_stack(tmp_path, "preflight", good_config))
    assert ("kubernetes", "pod security groups") not in verdicts(result)
