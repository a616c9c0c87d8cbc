"""IRSA roles: who may assume them, and what they may do (least privilege)."""

from __future__ import annotations

import json

import pytest

from components.aws.policies import (
    SecretsAccess,
    irsa_trust_policy,
    oidc_provider_arn,
    service_account_policy,
    tls_only_bucket_policy,
)
from components.config.registry import DAG_PROCESSOR, PGBOUNCER, SERVICE_ACCOUNT_COMPONENTS, SIZED_COMPONENTS
from components.naming.aws import AwsNames, aws_name
from components.plan.standins.aws import OIDC_ISSUER
from tests.support.programs import policy, run_data_plane
from tests.support.stacks import names_of

ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
ISSUER_HOST = "oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE"
KEY = "arn:aws:kms:eu-west-1:123456789012:key/abcd"
BUCKET = "airflow-prod-logs-123456789012"
PREFIXES = ("airflow/prod/connections", "airflow/prod/variables", "airflow/prod/config")

EXPECTED_SERVICE_ACCOUNTS = {
    "scheduler": "orchestrator-scheduler",
    "apiServer": "orchestrator-api-server",
    "triggerer": "orchestrator-triggerer",
    "dagProcessor": "orchestrator-dag-processor",
    "workers": "orchestrator-worker",
}


def _component(chart_key: str):
    return next(component for component in SIZED_COMPONENTS if component.chart_key == chart_key)


def _policy(chart_key: str, secrets: bool = True) -> dict:
    return service_account_policy(
        _component(chart_key),
        partition="aws",
        region="eu-west-1",
        account_id="123456789012",
        logs_bucket=BUCKET,
        logs_prefix="logs",
        logs_key_arn=KEY,
        secrets=SecretsAccess(PREFIXES, KEY) if secrets else None,
    )


def _resources(document: dict) -> list[str]:
    found: list[str] = []
    for statement in document["Statement"]:
        resource = statement["Resource"]
        found += resource if isinstance(resource, list) else [resource]
    return found


def _actions(document: dict) -> set[str]:
    found: set[str] = set()
    for statement in document["Statement"]:
        action = statement["Action"]
        found |= set(action if isinstance(action, list) else [action])
    return found


class TestTrust:
    @pytest.fixture(scope="class")
    @classmethod
    def plane(cls):
        return run_data_plane("prod", kubernetes={"releaseName": "orchestrator", "namespace": "data-jobs"})

    def test_each_role_trusts_only_its_service_account(self, plane):
        roles = {r.name.rsplit("-", 1)[-1]: r for r in plane.of_type(ROLE) if r.parent == "prod-aws-irsa"}
        assert set(roles) == set(EXPECTED_SERVICE_ACCOUNTS)
        for component, service_account in EXPECTED_SERVICE_ACCOUNTS.items():
            assert names_of(plane.cfg).service_account(_component(component)) == service_account
            (statement,) = policy(roles[component], "assumeRolePolicy")["Statement"]
            assert statement["Principal"] == {"Federated": f"arn:aws:iam::123456789012:oidc-provider/{ISSUER_HOST}"}
            assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
            assert statement["Condition"] == {
                "StringEquals": {
                    f"{ISSUER_HOST}:sub": f"system:serviceaccount:data-jobs:{service_account}",
                    f"{ISSUER_HOST}:aud": "sts.amazonaws.com",
                }
            }

    def test_migration_job_gets_no_role(self, plane):
        assert not [r for r in plane.of_type(ROLE) if "migrate" in r.name]

    def test_pure_trust_policy_strips_the_scheme(self):
        arn = oidc_provider_arn("aws-cn", "123456789012", OIDC_ISSUER)
        assert arn == f"arn:aws-cn:iam::123456789012:oidc-provider/{ISSUER_HOST}"
        document = irsa_trust_policy(arn, OIDC_ISSUER, "ns", "sa")
        assert "https://" not in json.dumps(document)


class TestLeastPrivilege:
    @pytest.mark.parametrize("component", [c.chart_key for c in SERVICE_ACCOUNT_COMPONENTS])
    def test_no_wildcard_resources(self, component):
        for resource in _resources(_policy(component)):
            assert resource != "*"
            assert resource.startswith(
                (f"arn:aws:s3:::{BUCKET}", KEY, "arn:aws:secretsmanager:eu-west-1:123456789012:secret:airflow/prod/")
            ), resource

    @pytest.mark.parametrize("component", ["scheduler", "triggerer", "dagProcessor", "workers"])
    def test_log_writers(self, component):
        (objects,) = [s for s in _policy(component)["Statement"] if s["Sid"] == "TaskLogObjects"]
        assert sorted(objects["Action"]) == ["s3:GetObject", "s3:PutObject"]
        assert objects["Resource"] == f"arn:aws:s3:::{BUCKET}/logs/*"

    def test_api_server_only_reads_logs(self):
        document = _policy("apiServer")
        assert _actions(document) == {
            "s3:GetObject",
            "s3:ListBucket",
            "kms:Decrypt",
            "secretsmanager:GetSecretValue",
            "secretsmanager:DescribeSecret",
        }

    def test_listing_limited_to_the_prefix(self):
        (listing,) = [s for s in _policy("workers")["Statement"] if s["Sid"] == "TaskLogListing"]
        assert listing["Resource"] == f"arn:aws:s3:::{BUCKET}"
        assert listing["Condition"] == {"StringLike": {"s3:prefix": ["logs", "logs/*"]}}

    def test_keys_only_through_their_service(self):
        statements = [s for s in _policy("workers")["Statement"] if any(a.startswith("kms:") for a in s["Action"])]
        assert {s["Condition"]["StringEquals"]["kms:ViaService"] for s in statements} == {
            "s3.eu-west-1.amazonaws.com",
            "secretsmanager.eu-west-1.amazonaws.com",
        }

    def test_secrets_manager_prefixes_only(self):
        (read,) = [s for s in _policy("scheduler")["Statement"] if s["Sid"] == "SecretsBackendRead"]
        assert read["Resource"] == [
            "arn:aws:secretsmanager:eu-west-1:123456789012:secret:airflow/prod/connections/*",
            "arn:aws:secretsmanager:eu-west-1:123456789012:secret:airflow/prod/variables/*",
            "arn:aws:secretsmanager:eu-west-1:123456789012:secret:airflow/prod/config/*",
        ]
        assert sorted(read["Action"]) == ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"]

    def test_no_secrets_access_without_secrets_manager(self):
        assert not [a for a in _actions(_policy("workers", secrets=False)) if a.startswith("secretsmanager:")]

    def test_unknown_component_refused(self):
        with pytest.raises(ValueError, match="'pgbouncer' has no IRSA role"):
            _policy(PGBOUNCER.chart_key)


class TestRegisteredPolicies:
    def test_stack_prefixes_reach_every_role(self):
        plane = run_data_plane("prod", secretsBackend={"connectionsPrefix": "teams/data/conns"})
        # The service accounts' roles; the metadata cleanup's reads no secrets (test_metadata_retention.py).
        for registration in [r for r in plane.of_type(ROLE_POLICY) if r.parent == "prod-aws-irsa"]:
            document = policy(registration)
            assert "arn:aws:secretsmanager:eu-west-1:123456789012:secret:teams/data/conns/*" in _resources(document)
            assert "*" not in _resources(document)

    def test_s3_dag_bundle_is_readable_by_those_that_load_dags(self):
        plane = run_data_plane(
            "prod", dags={"source": "s3-bundle", "s3": {"bucket": "team-dags", "prefix": "airflow/dags/"}}
        )
        readers = set()
        for registration in plane.of_type(ROLE_POLICY):
            document = policy(registration)
            if "arn:aws:s3:::team-dags/airflow/dags/*" in _resources(document):
                readers.add(registration.name.removeprefix("prod-aws-irsa-").removesuffix("-access"))
                bundle = [s for s in document["Statement"] if s["Sid"].startswith("DagBundle")]
                assert {a for s in bundle for a in s["Action"]} == {"s3:GetObject", "s3:ListBucket"}
        assert readers == {"dagProcessor", "workers", "triggerer"}

    def test_no_dag_bucket_access_without_an_s3_bundle(self):
        plane = run_data_plane("prod")
        for registration in plane.of_type(ROLE_POLICY):
            assert "DagBundle" not in registration.inputs["policy"]

    def test_no_secrets_manager_statements_without_secrets_manager(self):
        plane = run_data_plane("dev", secretsBackend={"type": "none"})
        for registration in plane.of_type(ROLE_POLICY):
            assert "secretsmanager" not in registration.inputs["policy"]


def test_tls_only_bucket_policy_covers_bucket_and_objects():
    (statement,) = tls_only_bucket_policy("aws", "b")["Statement"]
    assert statement["Effect"] == "Deny"
    assert statement["Resource"] == ["arn:aws:s3:::b", "arn:aws:s3:::b/*"]
    assert statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


class TestNames:
    def test_sanitised(self):
        assert aws_name("Airflow_Prod.EU--1-", 63) == "airflow-prod-eu-1"
        assert aws_name("9lives", 63) == "a-9lives"

    def test_long_stack_names_stay_within_service_limits(self):
        names = AwsNames("airflow", "a-very-long-stack-name-for-the-data-platform-team-in-europe-west", "16")
        assert len(names.database) <= 63
        assert names.database.endswith("-metadata")
        assert len(names.broker) <= 40
        assert names.broker.endswith("-broker")
        assert len(names.logs_bucket("123456789012")) <= 63
        assert names.logs_bucket("123456789012").endswith("-logs-123456789012")
        assert len(names.service_account_role(DAG_PROCESSOR)) <= 64
        for name in (names.database, names.broker, names.logs_bucket("123456789012")):
            assert "--" not in name
