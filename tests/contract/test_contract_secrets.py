"""Connections the kit seeds, read back by the real Airflow from Secrets Manager (moto_server) and Vault (a stand-in).

Airflow runs exactly as the kit configures it; only the backend's endpoint is local
(``AWS_ENDPOINT_URL`` for moto_server; the Vault address is itself stack config).
"""

from __future__ import annotations

import json

import boto3
import pytest
from pydantic import SecretStr

from components.values.secrets_backend import (
    SecretsManagerBackend,
    VaultBackend,
    secrets_backend,
    secrets_manager_secret_name,
    vault_secret_path,
)
from components.values.slack import SlackAlerts, slack_connection_json
from components.values.vault_policy import vault_read_paths
from tests.support.airflow import AirflowHome, effective_airflow_config, kit_environment
from tests.support.integrations import vault_config
from tests.support.servers import moto_server, records, vault_standin
from tests.support.stacks import shipped_stack

pytestmark = pytest.mark.contract

WEBHOOK_URL = "https://hooks.slack.com/services/T0CONTRACT/B0CONTRACT/contracttesttoken"
DUMMY_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
BOTO_CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
SERVICE_ACCOUNT_JWT = "eyJhbGciOiJSUzI1NiJ9.contract-test-service-account.token"
SLACK = SlackAlerts("slack_alerts", SecretStr(WEBHOOK_URL), notify_on_task_failure=True)

# What a task does with the connection id: the real Slack hook resolves the webhook URL.
RESOLVE_SLACK_CONNECTION = """
import json
from airflow.providers.slack.hooks.slack_webhook import SlackWebhookHook
hook = SlackWebhookHook(slack_webhook_conn_id=CONN_ID)
connection = hook.get_connection(CONN_ID)
print(json.dumps({"conn_type": connection.conn_type, "url": hook._get_conn_params()["url"]}))
"""


def _resolve(home: AirflowHome, conn_id: str, **env: str) -> dict:
    return home.python(RESOLVE_SLACK_CONNECTION.replace("CONN_ID", repr(conn_id)), **env)


def test_secrets_manager_round_trip(tmp_path):
    cfg = shipped_stack("prod", slackWebhookUrl=WEBHOOK_URL)
    conn_id = cfg.slack.conn_id

    with moto_server(tmp_path) as endpoint:
        aws = {"endpoint_url": endpoint, "region_name": cfg.aws.region, **BOTO_CREDENTIALS}
        key_id = boto3.client("kms", **aws).create_key(Description="secrets")["KeyMetadata"]["Arn"]
        # What Integrations writes: one secret per connection under the connections prefix.
        backend = secrets_backend(cfg)
        assert isinstance(backend, SecretsManagerBackend)
        boto3.client("secretsmanager", **aws).create_secret(
            Name=secrets_manager_secret_name(backend.paths, conn_id),
            KmsKeyId=key_id,
            SecretString=slack_connection_json(SLACK),
        )
        home = AirflowHome.create(tmp_path / "home", effective_airflow_config(cfg), kit_environment(cfg))

        resolved = _resolve(home, conn_id, AWS_ENDPOINT_URL=endpoint, **DUMMY_CREDENTIALS)
        missing = home.python(
            "import json\nfrom airflow.configuration import get_custom_secret_backend\n"
            "print(json.dumps(get_custom_secret_backend().get_conn_value('not_seeded')))",
            AWS_ENDPOINT_URL=endpoint,
            **DUMMY_CREDENTIALS,
        )

    assert resolved == {"conn_type": "slackwebhook", "url": WEBHOOK_URL}
    assert missing is None


@pytest.mark.parametrize("kv_engine_version", [2, 1])
def test_vault_round_trip_with_kubernetes_auth(kv_engine_version, tmp_path):
    jwt_file = tmp_path / "serviceaccount-token"
    jwt_file.write_text(SERVICE_ACCOUNT_JWT)
    probe = secrets_backend(vault_config(vault={"kvEngineVersion": kv_engine_version}))
    assert isinstance(probe, VaultBackend)
    mount = probe.kv_mount_point
    api_path = f"{mount}/data" if kv_engine_version == 2 else mount
    secret_path = f"{api_path}/{vault_secret_path(probe.paths, SLACK.conn_id)}"
    spec = {
        "role": probe.role,
        "auth_mount": probe.auth_mount_path,
        "jwt": SERVICE_ACCOUNT_JWT,
        "policy_paths": vault_read_paths(probe),  # the kit's own read-only policy
        "kv_engine_version": kv_engine_version,
        "secrets": {secret_path: json.loads(slack_connection_json(SLACK))},
    }

    with vault_standin(tmp_path, spec) as (address, log):
        cfg = vault_config(address, vault={"kvEngineVersion": kv_engine_version})
        home = AirflowHome.create(tmp_path / "home", effective_airflow_config(cfg), kit_environment(cfg))
        # In a pod the token sits at the default path; here it is a temporary file.
        resolved = _resolve(home, SLACK.conn_id, AIRFLOW__SECRETS__BACKEND_KWARG__KUBERNETES_JWT_PATH=str(jwt_file))
        requests = records(log)

    assert resolved == {"conn_type": "slackwebhook", "url": WEBHOOK_URL}
    login = requests[0]
    assert login["method"] == "POST"
    assert login["path"] == "/v1/auth/kubernetes/login"
    assert json.loads(login["body"]) == {"role": "airflow-lab", "jwt": SERVICE_ACCOUNT_JWT}
    reads = [r for r in requests if r["method"] == "GET"]
    assert reads
    assert all(r["token"] == "s.contract-test-client-token" for r in reads)
    assert f"/v1/{secret_path}" in [r["path"].split("?")[0] for r in reads]
