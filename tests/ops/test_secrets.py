"""`airflow-ha secrets` writes where the stack's Airflow reads, read back by Airflow's real backends:
``SecretsManagerBackend`` against moto_server, ``VaultBackend`` (Kubernetes login, KV v1 and v2)
against the project's Vault stand-in."""

from __future__ import annotations

import json
from pathlib import Path

import boto3
import pytest
import yaml

from components.ops.canary import CANARY_VARIABLE
from components.ops.errors import Exit
from components.values.secrets_backend import VaultBackend, secrets_backend
from components.values.vault_policy import vault_read_paths
from tests.ops.cli import run
from tests.support.airflow import AirflowHome, effective_airflow_config, kit_environment
from tests.support.integrations import vault_config
from tests.support.servers import moto_server, vault_standin
from tests.support.stacks import raw_values, shipped_stack

DUMMY_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
SERVICE_ACCOUNT_JWT = "eyJhbGciOiJSUzI1NiJ9.ops-test-service-account.token"
OPERATOR_TOKEN = "s.operator-token-of-the-platform-team"
DB_CONNECTION = {
    "conn_type": "postgres",
    "host": "orders.db.example.com",
    "login": "reporting",
    "password": "p@ss:w/rd with spaces",
    "port": 5432,
    "schema": "orders",
    "extra": {"sslmode": "verify-full"},
}
WEBHOOK_URL = "https://hooks.slack.com/services/T0OPS/B0OPS/opstesttoken"

# Real Airflow, configured as the kit configures the stack, resolving what `secrets` wrote.
READ_BACK = """
import json
from airflow.configuration import get_custom_secret_backend
backend = get_custom_secret_backend()
connection = backend.get_connection("db_orders")
print(json.dumps({
    "conn_type": connection.conn_type, "host": connection.host, "login": connection.login,
    "password": connection.password, "port": connection.port, "schema": connection.schema,
    "extra": connection.extra_dejson, "uri_conn": backend.get_connection("by_uri").get_uri(),
    "variable": backend.get_variable("report_bucket"),
}))
"""


def _aws_env(endpoint: str) -> dict[str, str | None]:
    return {"AWS_ENDPOINT_URL": endpoint, "AWS_PROFILE": None, **DUMMY_CREDENTIALS}


def _seed_kit_key(endpoint: str, region: str, alias: str) -> None:
    """What the stack's `pulumi up` made: the kit's KMS key and its alias."""
    kms = boto3.client("kms", endpoint_url=endpoint, region_name=region, **_boto_credentials())
    key = kms.create_key(Description="kit key")["KeyMetadata"]["KeyId"]
    kms.create_alias(AliasName=alias, TargetKeyId=key)


def _boto_credentials() -> dict[str, str]:
    return {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


def test_secrets_manager_round_trip_through_airflows_backend(tmp_path: Path) -> None:
    cfg = shipped_stack("prod", slackWebhookUrl=WEBHOOK_URL)
    with moto_server(tmp_path) as endpoint:
        env = _aws_env(endpoint)
        _seed_kit_key(endpoint, cfg.aws.region, f"alias/{cfg.kubernetes.release_name}-prod-data")
        stack = ("--stack", "prod")
        written = run(
            "secrets", "set-connection", "db_orders", "--json", "-", *stack, env=env, input=json.dumps(DB_CONNECTION)
        )
        assert written.exit_code == Exit.OK, written.stderr
        uri = "mysql://app:secret@mysql.example.com:3306/app"
        assert run("secrets", "set-connection", "by_uri", "--uri", uri, *stack, env=env).exit_code == Exit.OK
        assert run("secrets", "set-variable", "report_bucket", "s3://reports", *stack, env=env).exit_code == Exit.OK

        sm = boto3.client("secretsmanager", endpoint_url=endpoint, region_name=cfg.aws.region, **_boto_credentials())
        described = sm.describe_secret(SecretId=f"{cfg.secrets_backend.connections_prefix}/db_orders")
        assert described["KmsKeyId"] == f"alias/{cfg.kubernetes.release_name}-prod-data"
        home = AirflowHome.create(tmp_path / "home", effective_airflow_config(cfg), kit_environment(cfg))
        resolved = home.python(READ_BACK, AWS_ENDPOINT_URL=endpoint, **DUMMY_CREDENTIALS)

        listed = run("secrets", "list", *stack, "--output", "json", env=env).document
        shown = run("secrets", "get", "connection", "db_orders", *stack, "--output", "json", env=env).document
        unchanged = run("secrets", "set-variable", "report_bucket", "s3://reports", *stack, env=env)
        refused = run("secrets", "set-variable", "report_bucket", "s3://other", *stack, env=env)  # no --yes, no tty
        dry = run("secrets", "set-variable", "report_bucket", "s3://other", *stack, "--dry-run", env=env)
        after = sm.get_secret_value(SecretId=f"{cfg.secrets_backend.variables_prefix}/report_bucket")["SecretString"]

    assert resolved == {
        **{key: DB_CONNECTION[key] for key in ("host", "login", "password", "port", "schema", "extra")},
        "conn_type": "postgres",
        "uri_conn": uri,
        "variable": "s3://reports",
    }
    assert {(e["kind"], e["id"]) for e in listed["entries"]} == {
        ("connection", "db_orders"),
        ("connection", "by_uri"),
        ("variable", "report_bucket"),
    }
    assert shown["value"]["password"] == "***"
    assert DB_CONNECTION["password"] not in json.dumps(shown)
    assert "already holds this value" in unchanged.stdout
    assert refused.exit_code == Exit.ABORTED
    assert dry.exit_code == Exit.OK
    assert after == "s3://reports"  # neither the refused nor the dry run wrote


def test_check_reports_missing_and_malformed_connections(tmp_path: Path) -> None:
    cfg = shipped_stack("prod")
    prefix = cfg.secrets_backend.connections_prefix
    with moto_server(tmp_path) as endpoint:
        env = _aws_env(endpoint)
        _seed_kit_key(endpoint, cfg.aws.region, f"alias/{cfg.kubernetes.release_name}-prod-data")
        stack = ("--stack", "prod", "--output", "json")
        empty = run("secrets", "check", *stack, "--conn-id", "db_orders", env=env)
        sm = boto3.client("secretsmanager", endpoint_url=endpoint, region_name=cfg.aws.region, **_boto_credentials())
        sm.create_secret(Name=f"{prefix}/{cfg.slack.conn_id}", SecretString='{"conn_type": "http", "host": "x"}')
        sm.create_secret(Name=f"{prefix}/db_orders", SecretString='{"conn_type": "postgres", "port": "fivefour"')
        malformed = run("secrets", "check", *stack, "--conn-id", "db_orders", env=env)
        sm.put_secret_value(
            SecretId=f"{prefix}/{cfg.slack.conn_id}",
            SecretString=json.dumps({"conn_type": "slackwebhook", "password": WEBHOOK_URL}),
        )
        sm.put_secret_value(SecretId=f"{prefix}/db_orders", SecretString=json.dumps(DB_CONNECTION))
        sm.create_secret(Name=f"{cfg.secrets_backend.variables_prefix}/{CANARY_VARIABLE}", SecretString="canary")
        good = run("secrets", "check", *stack, "--conn-id", "db_orders", env=env)

    def statuses(result) -> dict[str, str]:
        return {row["id"]: row["status"] for row in result.document["checks"]}

    assert cfg.slack.enabled
    assert empty.exit_code == Exit.FAILED
    assert statuses(empty) == {cfg.slack.conn_id: "missing", CANARY_VARIABLE: "missing", "db_orders": "missing"}
    assert malformed.exit_code == Exit.FAILED
    assert statuses(malformed)[cfg.slack.conn_id] == "malformed"
    assert statuses(malformed)["db_orders"] == "malformed"
    details = {row["id"]: row["detail"] for row in malformed.document["checks"]}
    assert "not 'slackwebhook'" in details[cfg.slack.conn_id]
    assert "not valid JSON" in details["db_orders"]
    assert good.exit_code == Exit.OK, good.stdout
    assert set(statuses(good).values()) == {"ok"}


@pytest.mark.parametrize("kv_engine_version", [2, 1])
def test_vault_round_trip_through_airflows_backend(kv_engine_version: int, tmp_path: Path) -> None:
    jwt_file = tmp_path / "serviceaccount-token"
    jwt_file.write_text(SERVICE_ACCOUNT_JWT)
    probe = secrets_backend(vault_config(vault={"kvEngineVersion": kv_engine_version}))
    assert isinstance(probe, VaultBackend)
    spec = {
        "role": probe.role,
        "auth_mount": probe.auth_mount_path,
        "jwt": SERVICE_ACCOUNT_JWT,
        "policy_paths": vault_read_paths(probe),  # Airflow reads under the kit's own read-only policy
        "kv_engine_version": kv_engine_version,
        "operator_token": OPERATOR_TOKEN,
        "secrets": {},
    }
    with vault_standin(tmp_path, spec) as (address, _log):
        cfg = vault_config(address, vault={"kvEngineVersion": kv_engine_version})
        stack_file = _stack_file(tmp_path, cfg.stack, vault_kv_version=kv_engine_version)
        env: dict[str, str | None] = {"VAULT_ADDR": address, "VAULT_TOKEN": OPERATOR_TOKEN}
        target = ("--stack-file", str(stack_file))
        written = run("secrets", "set-connection", "db_orders", "--json", json.dumps(DB_CONNECTION), *target, env=env)
        assert written.exit_code == Exit.OK, written.stderr
        uri = "mysql://app:secret@mysql.example.com:3306/app"
        assert run("secrets", "set-connection", "by_uri", "--uri", uri, *target, env=env).exit_code == Exit.OK
        assert run("secrets", "set-variable", "report_bucket", "s3://reports", *target, env=env).exit_code == Exit.OK
        listed = run("secrets", "list", *target, "--output", "json", env=env).document
        no_token = run("secrets", "list", *target, env={"VAULT_ADDR": address, "VAULT_TOKEN": None})

        home = AirflowHome.create(tmp_path / "home", effective_airflow_config(cfg), kit_environment(cfg))
        resolved = home.python(READ_BACK, AIRFLOW__SECRETS__BACKEND_KWARG__KUBERNETES_JWT_PATH=str(jwt_file))

    assert resolved["password"] == DB_CONNECTION["password"]
    assert resolved["extra"] == DB_CONNECTION["extra"]
    assert resolved["uri_conn"] == uri
    assert resolved["variable"] == "s3://reports"
    assert {(e["kind"], e["id"]) for e in listed["entries"]} == {
        ("connection", "db_orders"),
        ("connection", "by_uri"),
        ("variable", "report_bucket"),
    }
    assert no_token.exit_code == Exit.ENVIRONMENT
    assert "VAULT_TOKEN" in no_token.stderr
    assert "Traceback" not in no_token.stderr


def test_bad_connection_input_is_refused_before_anything_is_written() -> None:
    for args, expected in (
        (("--uri", "not a uri"), "neither a connection URI"),
        (("--json", '{"host": "x"}'), "has no conn_type"),
        (("--json", '{"conn_type": "http", "passwd": "x"}'), "does not read: passwd"),
        ((), "--uri or as --json"),
    ):
        result = run("secrets", "set-connection", "c", *args, "--stack", "prod")
        assert result.exit_code == Exit.BAD_INPUT, args
        assert expected in result.stderr, (args, result.stderr)
    local = run("secrets", "list", "--stack", "local")
    assert local.exit_code == Exit.BAD_INPUT
    assert "secretsBackend.type" in local.stderr


def _stack_file(tmp_path: Path, stack: str, vault_kv_version: int) -> Path:
    """``vault_config``'s stack as an operator's checkout holds it: the Vault address encrypted."""
    values = raw_values(
        "local",
        secretsBackend={"type": "vault"},
        vault={"kvEngineVersion": vault_kv_version},
        vaultAddress={"secure": "v1:c2VjcmV0IGFkZHJlc3M="},
    )
    path = tmp_path / f"Pulumi.{stack}.yaml"
    path.write_text(yaml.safe_dump({"config": values}))
    return path
