"""The Integrations component under Pulumi's mock engine."""

from __future__ import annotations

import pytest

from components.plan.engine import SECRET
from tests.support.integrations import SENTINELS, run_integrations, serialized, vault_stack, with_everything
from tests.support.programs import KMS_KEY_ARN
from tests.support.stacks import stack

K8S_SECRET = "kubernetes:core/v1:Secret"
SM_SECRET = "aws:secretsmanager/secret:Secret"
SM_VERSION = "aws:secretsmanager/secretVersion:SecretVersion"


def vault_registrations(run):
    return [r for r in run.registrations if r.type.startswith("vault:") or r.type == "pulumi:providers:vault"]


def kubernetes_secrets(run) -> dict[str, dict]:
    return {r.inputs["metadata"]["name"]: r.inputs for r in run.of_type(K8S_SECRET)}


@pytest.mark.parametrize(
    "cfg_factory",
    [
        lambda: with_everything("prod"),
        lambda: vault_stack(manage=True),
        lambda: vault_stack(manage=False),
        lambda: with_everything("local"),
    ],
    ids=["secrets-manager", "vault-managed", "vault-unmanaged", "kubernetes-secrets"],
)
def test_no_secret_value_is_registered_in_plaintext(cfg_factory):
    run = run_integrations(cfg_factory())
    everything = serialized([r.inputs for r in run.registrations])
    for sentinel in SENTINELS:
        assert sentinel not in everything
    assert SECRET in everything  # the secrets were registered, masked


def test_secrets_manager_stack_stores_the_slack_connection_under_the_connections_prefix():
    run = run_integrations(with_everything("prod"))

    (secret,) = run.of_type(SM_SECRET)
    assert secret.inputs["name"] == "airflow/prod/connections/slack_alerts"
    assert secret.inputs["kmsKeyId"] == KMS_KEY_ARN
    (version,) = run.of_type(SM_VERSION)
    assert version.inputs["secretString"] == SECRET
    assert not vault_registrations(run)
    # The connection lives in Secrets Manager, so no AIRFLOW_CONN_* Secret is made for it.
    assert "airflow-slack-connection" not in kubernetes_secrets(run)


def test_openlineage_api_key_reaches_only_a_kubernetes_secret():
    secrets = kubernetes_secrets(run_integrations(with_everything("prod")))
    assert secrets["airflow-openlineage-transport"]["stringData"] == SECRET
    assert secrets["airflow-openlineage-transport"]["metadata"]["namespace"] == "airflow"


def test_vault_resources_exist_when_the_kit_manages_vault():
    run = run_integrations(vault_stack(manage=True))

    (policy,) = run.of_type("vault:index/policy:Policy")
    assert policy.inputs["name"] == "airflow-local-read"
    assert 'path "airflow/data/airflow/local/connections/*"' in policy.inputs["policy"]
    assert '"read"' in policy.inputs["policy"]
    for verb in ("create", "update", "delete", "list", "sudo"):
        assert verb not in policy.inputs["policy"]

    (role,) = run.of_type("vault:kubernetes/authBackendRole:AuthBackendRole")
    assert role.inputs["backend"] == "kubernetes"
    assert role.inputs["roleName"] == "airflow-local"
    assert sorted(role.inputs["boundServiceAccountNames"]) == sorted(
        ["airflow-scheduler", "airflow-api-server", "airflow-triggerer", "airflow-dag-processor", "airflow-worker"]
    )
    assert role.inputs["boundServiceAccountNamespaces"] == ["airflow"]
    assert role.inputs["tokenPolicies"] == ["airflow-local-read"]

    (connection,) = run.of_type("vault:kv/secretV2:SecretV2")
    assert connection.inputs["mount"] == "airflow"
    assert connection.inputs["name"] == "airflow/local/connections/slack_alerts"
    assert connection.inputs["dataJson"] == SECRET

    (provider,) = run.of_type("pulumi:providers:vault")
    assert provider.inputs["address"] == SECRET
    assert provider.inputs["token"] == SECRET

    secrets = kubernetes_secrets(run)
    assert secrets["airflow-vault-address"]["stringData"] == SECRET
    assert "airflow-slack-connection" not in secrets


def test_vault_kv_version_1_writes_a_v1_secret_and_policy():
    run = run_integrations(vault_stack(manage=True, kvEngineVersion=1))
    (connection,) = run.of_type("vault:kv/secret:Secret")
    assert connection.inputs["path"] == "airflow/airflow/local/connections/slack_alerts"
    (policy,) = run.of_type("vault:index/policy:Policy")
    assert 'path "airflow/airflow/local/connections/*"' in policy.inputs["policy"]
    assert "/data/" not in policy.inputs["policy"]


def test_no_vault_resources_unless_asked_for():
    unmanaged = run_integrations(vault_stack(manage=False))
    assert not vault_registrations(unmanaged)
    # Vault is read but not written by the kit: the Slack connection goes to a Kubernetes Secret.
    secrets = kubernetes_secrets(unmanaged)
    assert secrets["airflow-slack-connection"]["stringData"] == SECRET
    assert secrets["airflow-vault-address"]["stringData"] == SECRET

    for cfg in (with_everything("prod"), with_everything("local"), stack("local")):
        assert not vault_registrations(run_integrations(cfg))


def test_nothing_is_created_when_every_integration_is_off():
    run = run_integrations(stack("local"))
    registered = [r for r in run.registrations if r.name == "it" or r.parent == "it"]
    assert [r.type for r in registered] == ["airflow-ha:integrations:Integrations"]


def test_children_belong_to_the_component():
    run = run_integrations(vault_stack(manage=True))
    stand_ins = {"cluster", "namespace", "aws"}  # what the test hands the component
    children = [r for r in run.registrations if r.name not in stand_ins and r.name != "it"]
    assert children
    assert all(r.parent == "it" for r in children)
