"""What the integrations tell Airflow and the chart (pure composition)."""

from __future__ import annotations

import json

from components.config.model import StackConfig
from components.values import integrations
from components.values.integrations import AIRFLOW_LOCAL_SETTINGS_FILE, IntegrationChartInputs
from tests.support.integrations import SENTINELS, serialized, vault_stack, with_everything
from tests.support.stacks import names_of, stack


def integrations_airflow_config(cfg: StackConfig) -> dict:
    return integrations.integrations_airflow_config(integrations.integration_specs(cfg))


def integration_chart_inputs(cfg: StackConfig) -> IntegrationChartInputs:
    return integrations.integration_chart_inputs(integrations.integration_specs(cfg), names_of(cfg))


def test_secrets_manager_backend_reads_the_stack_prefixes_in_its_region_with_the_cache_on():
    secrets = integrations_airflow_config(stack("prod"))["secrets"]

    assert secrets["backend"] == "airflow.providers.amazon.aws.secrets.secrets_manager.SecretsManagerBackend"
    assert "\n" not in secrets["backend_kwargs"]
    assert json.loads(secrets["backend_kwargs"]) == {
        "connections_prefix": "airflow/prod/connections",
        "variables_prefix": "airflow/prod/variables",
        "config_prefix": "airflow/prod/config",
        "region_name": "eu-west-1",
    }
    assert secrets["use_cache"] is True
    assert secrets["cache_ttl_seconds"] == 900


def test_a_zero_ttl_turns_the_cache_off():
    secrets = integrations_airflow_config(stack("dev", secretsBackend={"cacheTtlSeconds": 0}))["secrets"]
    assert secrets["use_cache"] is False
    assert "cache_ttl_seconds" not in secrets


def test_vault_backend_logs_in_with_kubernetes_auth_and_keeps_the_address_out_of_its_kwargs():
    cfg = vault_stack(manage=False, role="airflow-reader", authMountPath="k8s-eu", kvMountPoint="kv", kvEngineVersion=1)
    secrets = integrations_airflow_config(cfg)["secrets"]

    assert secrets["backend"] == "airflow.providers.hashicorp.secrets.vault.VaultBackend"
    assert json.loads(secrets["backend_kwargs"]) == {
        "auth_type": "kubernetes",
        "kubernetes_role": "airflow-reader",
        "auth_mount_point": "k8s-eu",
        "mount_point": "kv",
        "kv_engine_version": 1,
        "connections_path": "airflow/local/connections",
        "variables_path": "airflow/local/variables",
        "config_path": "airflow/local/config",
    }
    address = [env for env in integration_chart_inputs(cfg).secret_env if env["envName"] == "VAULT_ADDR"]
    assert address == [{"envName": "VAULT_ADDR", "secretName": "airflow-vault-address", "secretKey": "address"}]


def test_no_secrets_backend_sets_no_secrets_section():
    assert "secrets" not in integrations_airflow_config(stack("local"))


def test_openlineage_off_is_disabled_explicitly():
    assert integrations_airflow_config(stack("local"))["openlineage"] == {"disabled": True}


def test_openlineage_without_api_key_keeps_the_transport_in_the_config_and_names_the_stack():
    cfg = stack("staging", openlineage={"enabled": True, "url": "https://marquez.example.com"})
    lineage = integrations_airflow_config(cfg)["openlineage"]

    assert lineage["disabled"] is False
    assert lineage["namespace"] == "staging"
    assert json.loads(lineage["transport"]) == {
        "type": "http",
        "url": "https://marquez.example.com",
        "endpoint": "api/v1/lineage",
    }
    secret_env = integration_chart_inputs(cfg).secret_env
    assert not [env for env in secret_env if "OPENLINEAGE" in env["envName"]]


def test_openlineage_with_api_key_moves_the_whole_transport_to_a_secret():
    cfg = with_everything("prod")
    assert "transport" not in integrations_airflow_config(cfg)["openlineage"]
    assert {
        "envName": "AIRFLOW__OPENLINEAGE__TRANSPORT",
        "secretName": "airflow-openlineage-transport",
        "secretKey": "transport",
    } in integration_chart_inputs(cfg).secret_env


def test_failure_alerts_install_the_policy_and_name_the_connection():
    cfg = with_everything("prod", slack={"enabled": True, "connId": "team_alerts"})
    inputs = integration_chart_inputs(cfg)

    assert inputs.env == [{"name": "AIRFLOW_HA_FAILURE_ALERTS_SLACK_CONN_ID", "value": "team_alerts"}]
    assert "def task_policy(" in inputs.airflow_local_settings


def test_failure_alerts_can_be_turned_off_per_stack():
    for cfg in (stack("local"), with_everything("local", slack={"enabled": True, "notifyOnTaskFailure": False})):
        inputs = integration_chart_inputs(cfg)
        assert inputs.env == []
        assert inputs.airflow_local_settings is None


def test_slack_connection_is_a_kubernetes_secret_only_without_a_writable_backend():
    def conn_envs(cfg):
        secret_env = integration_chart_inputs(cfg).secret_env
        return [env for env in secret_env if env["envName"].startswith("AIRFLOW_CONN_")]

    assert conn_envs(with_everything("local")) == [
        {"envName": "AIRFLOW_CONN_SLACK_ALERTS", "secretName": "airflow-slack-connection", "secretKey": "connection"}
    ]
    assert conn_envs(vault_stack(manage=False))
    assert conn_envs(vault_stack(manage=True)) == []
    assert conn_envs(with_everything("prod")) == []


def test_no_secret_reaches_the_config_or_the_chart_inputs():
    for cfg in (with_everything("prod"), with_everything("local"), vault_stack(manage=True), vault_stack(manage=False)):
        inputs = integration_chart_inputs(cfg)
        shown = serialized([integrations_airflow_config(cfg), inputs.env, inputs.secret_env])
        for sentinel in SENTINELS:
            assert sentinel not in shown


def test_local_settings_file_survives_helm_templating():
    # The chart passes airflowLocalSettings through `tpl`: double braces would be evaluated.
    text = AIRFLOW_LOCAL_SETTINGS_FILE.read_text()
    assert "{{" not in text
    assert "}}" not in text
    compile(text, str(AIRFLOW_LOCAL_SETTINGS_FILE), "exec")
