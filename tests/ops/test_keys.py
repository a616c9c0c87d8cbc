"""`airflow-ha keys`: the fernet rotation end to end on real Airflow 3.2.2 and PostgreSQL, the stack
file edit it drives, and the encrypted export."""

from __future__ import annotations

import base64
import configparser
import json
import shlex
import sys
from pathlib import Path

import boto3
import pytest
import yaml
from cryptography.fernet import Fernet, InvalidToken

from components.ops.errors import Exit, OpsError
from components.ops.keys import decrypt_export, encrypt_export
from components.ops.keys_stackfile import set_airflow_keys
from components.validation import validated_stack_config
from tests.ops.cli import run
from tests.ops.deploy_standin import deployed_fernet_key
from tests.support.airflow import AirflowHome
from tests.support.ops_servers import kubernetes_api
from tests.support.paths import REPO
from tests.support.servers import moto_server, postgres
from tests.support.stacks import raw_values

CONNECTION_PASSWORD = "rotated-with:care@"
STACK_FILE_HEADER = "# lab: a stack file with the comments an operator wrote\n"


def _stack_file(tmp_path: Path) -> Path:
    path = tmp_path / "Pulumi.lab.yaml"
    body = yaml.safe_dump({"config": raw_values("local")}, sort_keys=False)
    path.write_text(STACK_FILE_HEADER + body.replace("config:\n", "config:\n  # the tier sets the defaults\n", 1))
    return path


def _fernet_key(cfg_path: Path) -> str:
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(cfg_path)
    return parser["core"]["fernet_key"]


def test_rotate_fernet_reencrypts_everything_and_drops_the_old_key(tmp_path: Path) -> None:
    stack_file = _stack_file(tmp_path)
    with postgres(tmp_path / "postgres") as database:
        database.create_database("airflow")
        home = AirflowHome.create(tmp_path / "home", {"core": {"load_examples": False}})
        cfg_path = home.path / "airflow.cfg"
        deploy = (
            f"PYTHONPATH={shlex.quote(str(REPO))} {shlex.quote(sys.executable)} -m tests.ops.deploy_standin "
            f"{{stack_file}} {shlex.quote(str(cfg_path))}"
        )
        env = {"AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": database.url("airflow")}
        first = run("keys", "rotate-fernet", "--stack-file", str(stack_file), "--dry-run")  # before any deploy
        assert first.exit_code == Exit.OK
        # The stack's first `pulumi up`: generation 1 only.
        deployed_before = deployed_fernet_key(stack_file)
        cfg_path.write_text(cfg_path.read_text().replace("[core]\n", f"[core]\nfernet_key = {deployed_before}\n", 1))
        old_key = _fernet_key(cfg_path)
        home.checked_airflow("db", "migrate", **env)
        home.checked_airflow(
            "connections",
            "add",
            "db_orders",
            "--conn-type",
            "postgres",
            "--conn-host",
            "orders.example.com",
            "--conn-login",
            "reporting",
            "--conn-password",
            CONNECTION_PASSWORD,
            **env,
        )
        home.checked_airflow("variables", "set", "report_bucket", "s3://reports", **env)
        before = _encrypted(database)
        assert Fernet(old_key.encode()).decrypt(before["password"].encode()).decode() == CONNECTION_PASSWORD

        rotated = run(
            "keys",
            "rotate-fernet",
            "--stack-file",
            str(stack_file),
            "--yes",
            "--deploy-command",
            deploy,
            "--reencrypt-command",
            f"{shlex.quote(sys.executable)} -m airflow rotate-fernet-key",
            "--output",
            "json",
            env=dict(home.environment(**env)),
        )
        assert rotated.exit_code == Exit.OK, rotated.stderr
        new_key = _fernet_key(cfg_path)
        after = _encrypted(database)
        # Airflow logs to stdout too: the command's own output is its last line.
        shown = home.checked_airflow("connections", "get", "db_orders", "-o", "json", **env)
        connection = json.loads(shown.strip().splitlines()[-1])
        variable = home.checked_airflow("variables", "get", "report_bucket", **env).strip().splitlines()[-1]

    assert rotated.document["generation"] == 2
    assert "," not in new_key  # the old key is gone from the config Airflow reads
    assert new_key != old_key
    for field in ("password", "variable"):
        assert after[field] != before[field]  # re-encrypted, not just readable
        Fernet(new_key.encode()).decrypt(after[field].encode())
        with pytest.raises(InvalidToken):  # unreadable under the retired key
            Fernet(old_key.encode()).decrypt(after[field].encode())
    assert connection[0]["password"] == CONNECTION_PASSWORD
    assert variable == "s3://reports"
    text = stack_file.read_text()
    assert text.startswith(STACK_FILE_HEADER)  # the operator's comments survive the edits
    assert "# the tier sets the defaults" in text
    values = yaml.safe_load(text)["config"]
    assert values["airflow-ha:airflow"] == {"fernetKeyGeneration": 2, "fernetKeyRetiredThrough": 1}


def _encrypted(database) -> dict[str, str]:
    [(password,)] = database.query("airflow", "SELECT password FROM connection WHERE conn_id = 'db_orders'")
    [(variable,)] = database.query("airflow", "SELECT val FROM variable WHERE key = 'report_bucket'")
    return {"password": password, "variable": variable}


def test_a_failed_deploy_stops_the_rotation_and_a_rerun_resumes(tmp_path: Path) -> None:
    stack_file = _stack_file(tmp_path)
    failed = run("keys", "rotate-fernet", "--stack-file", str(stack_file), "--yes", "--deploy-command", "exit 7")
    assert failed.exit_code == Exit.FAILED
    assert "step 2 failed (exit 7)" in failed.stderr
    assert "Traceback" not in failed.stderr
    values = yaml.safe_load(stack_file.read_text())["config"]["airflow-ha:airflow"]
    assert values == {"fernetKeyGeneration": 2}
    resumed = run("keys", "rotate-fernet", "--stack-file", str(stack_file), "--dry-run", "--output", "json")
    steps = [step["what"] for step in resumed.document["steps"]]
    assert steps[0].startswith("deploy: every component rolls onto keys 2,1")  # no second new generation
    refused = run("keys", "rotate-fernet", "--stack-file", str(stack_file))  # no --yes, no terminal
    assert refused.exit_code == Exit.ABORTED


def test_the_stack_file_edit_touches_only_its_own_lines(tmp_path: Path) -> None:
    path = tmp_path / "Pulumi.lab.yaml"
    path.write_text(
        "config:\n"
        "  airflow-ha:tier: local  # a laptop\n"
        "  airflow-ha:airflow:\n"
        "    # the image we build\n"
        "    version: 3.2.2\n"
        "    fernetKeyGeneration: 3\n"
        "  airflow-ha:executor: CeleryExecutor\n"
    )
    set_airflow_keys(path, {"fernetKeyGeneration": 4, "fernetKeyRetiredThrough": 3})
    assert path.read_text() == (
        "config:\n"
        "  airflow-ha:tier: local  # a laptop\n"
        "  airflow-ha:airflow:\n"
        "    fernetKeyRetiredThrough: 3\n"
        "    # the image we build\n"
        "    version: 3.2.2\n"
        "    fernetKeyGeneration: 4\n"
        "  airflow-ha:executor: CeleryExecutor\n"
    )
    document = yaml.safe_load(path.read_text())["config"]
    cfg = validated_stack_config("lab", document, set())
    assert (cfg.airflow.fernet_key_generation, cfg.airflow.fernet_key_retired_through) == (4, 3)


def test_export_after_a_teardown_reads_the_retained_key_store(tmp_path: Path) -> None:
    """The cluster is gone; the AWS key store kept every generation, and the export holds them, encrypted."""
    document = {"fernet_key": "k2,k1", "generation": 2, "keys": {"1": "k1", "2": "k2"}}
    with moto_server(tmp_path) as endpoint:
        region = "eu-west-1"
        sm = boto3.client(
            "secretsmanager",
            endpoint_url=endpoint,
            region_name=region,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        sm.create_secret(Name="airflow-ha/airflow-staging/fernet-keys", SecretString=json.dumps(document))
        env = {
            "AWS_ENDPOINT_URL": endpoint,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_PROFILE": None,
            "KUBECONFIG": str(tmp_path / "no-kubeconfig"),
            "AIRFLOW_HA_EXPORT_PASSPHRASE": "correct horse battery staple",
        }
        target = tmp_path / "staging-keys.enc"
        exported = run("keys", "export", "--stack", "staging", "--to-file", str(target), env=env)
        kms = boto3.client(
            "kms",
            endpoint_url=endpoint,
            region_name=region,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        kms.create_alias(AliasName="alias/airflow-staging-data", TargetKeyId=kms.create_key()["KeyMetadata"]["KeyId"])
        to_secret = run("keys", "export", "--stack", "staging", "--to-secret", "backup/staging-keys", env=env)
        backup = json.loads(sm.get_secret_value(SecretId="backup/staging-keys")["SecretString"])
        opened = run("keys", "decrypt", str(target), env=env)

    assert exported.exit_code == Exit.FAILED  # the cluster's Secrets could not be read: said, not hidden
    assert "not exported: the cluster's key Secrets" in exported.stdout
    assert "k2,k1" not in target.read_text()  # encrypted at rest
    assert oct(target.stat().st_mode & 0o777) == "0o600"
    assert json.loads(opened.stdout)["fernet_key_store"] == document
    assert backup["fernet_key_store"] == document
    assert to_secret.exit_code == Exit.FAILED  # the store alone, again with the cluster missing


def test_export_of_a_running_stack_holds_the_keys_its_pods_read_and_the_store(tmp_path: Path) -> None:
    names = {
        "fernet-key": ("fernet-key", "k2,k1"),
        "api-secret-key": ("api-secret-key", "api"),
        "jwt-secret": ("jwt-secret", "jwt"),
    }
    secrets = [
        {
            "name": f"airflow-{purpose}",
            "labels": {"app.kubernetes.io/part-of": "airflow-ha"},
            "data": {key: base64.b64encode(value.encode()).decode()},
        }
        for purpose, (key, value) in names.items()
    ]
    document = {"fernet_key": "k2,k1", "generation": 2, "keys": {"1": "k1", "2": "k2"}}
    with (
        moto_server(tmp_path) as endpoint,
        # The shipped staging stack's EKS cluster: the command picks its context, never the current one.
        kubernetes_api(
            tmp_path,
            {"token": "t0k3n", "secrets": {"airflow": secrets}},
            "arn:aws:eks:eu-west-1:123456789012:cluster/data-platform-staging",
        ) as kubeconfig,
    ):
        credentials = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
        sm = boto3.client("secretsmanager", endpoint_url=endpoint, region_name="eu-west-1", **credentials)
        sm.create_secret(Name="airflow-ha/airflow-staging/fernet-keys", SecretString=json.dumps(document))
        env = {
            "AWS_ENDPOINT_URL": endpoint,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_PROFILE": None,
            "KUBECONFIG": str(kubeconfig),
            "AIRFLOW_HA_EXPORT_PASSPHRASE": "a passphrase",
        }
        target = tmp_path / "keys.enc"
        exported = run("keys", "export", "--stack", "staging", "--to-file", str(target), "--output", "json", env=env)
        opened = json.loads(run("keys", "decrypt", str(target), env=env).stdout)

    assert exported.exit_code == Exit.OK, exported.stderr
    assert exported.document["exported"] == ["api_secret_key", "fernet_key", "fernet_key_store", "jwt_secret"]
    assert opened == {
        "stack": "staging",
        "fernet_key": "k2,k1",
        "api_secret_key": "api",
        "jwt_secret": "jwt",
        "fernet_key_store": document,
    }


def test_an_export_opens_only_with_its_passphrase() -> None:
    sealed = encrypt_export({"fernet_key": "k"}, "right")
    assert decrypt_export(sealed, "right") == {"fernet_key": "k"}
    with pytest.raises(OpsError, match="passphrase does not open"):
        decrypt_export(sealed, "wrong")
