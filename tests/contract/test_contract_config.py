"""The kit's Airflow config against the real Airflow 3.2.2: every option known, every value parsed,
the secrets backend loadable."""

from __future__ import annotations

import json

import pytest

from tests.support.airflow import AirflowHome, effective_airflow_config, kit_environment
from tests.support.integrations import vault_config
from tests.support.paths import SHIPPED_STACKS
from tests.support.stacks import shipped_stack

pytestmark = pytest.mark.contract

KNOWN_OPTIONS = """
import json
from airflow.configuration import conf
described = conf.configuration_description
kit = json.loads(KIT)
unknown, unparsed = [], []
for section, key in kit:
    option = described.get(section, {}).get("options", {}).get(key)
    if option is None:
        unknown.append(f"[{section}] {key}")
        continue
    typed = {"boolean": conf.getboolean, "integer": conf.getint, "float": conf.getfloat}
    getter = typed.get(option.get("type"), conf.get)
    try:
        getter(section, key)
    except Exception as error:
        unparsed.append(f"[{section}] {key}: {error}")
print(json.dumps({"unknown": unknown, "unparsed": unparsed, "sections": len(described)}))
"""

SECRETS_BACKEND = """
import json
from airflow.configuration import get_custom_secret_backend
described = {}
for mode in ("server", "worker"):
    backend = get_custom_secret_backend(worker_mode=mode == "worker")
    if backend is None:
        described[mode] = None
        continue
    info = {"class": f"{type(backend).__module__}.{type(backend).__name__}"}
    if hasattr(backend, "vault_client"):
        client = backend.vault_client
        info |= {"url": client.url, "auth_type": client.auth_type, "kubernetes_role": client.kubernetes_role,
                 "auth_mount_point": client.auth_mount_point, "mount_point": backend.mount_point,
                 "kv_engine_version": backend.kv_engine_version, "connections_path": backend.connections_path,
                 "variables_path": backend.variables_path, "config_path": backend.config_path}
    else:
        info |= {"connections_prefix": backend.connections_prefix, "variables_prefix": backend.variables_prefix,
                 "config_prefix": backend.config_prefix, "region_name": backend.kwargs.get("region_name")}
    described[mode] = info
print(json.dumps(described))
"""


def _kit_keys(config: dict, environment: dict[str, str]) -> list[tuple[str, str]]:
    keys = [(section, key) for section, options in config.items() for key in options]
    for name in environment:
        if name.startswith("AIRFLOW__") and name.count("__") == 2:
            section, key = name.removeprefix("AIRFLOW__").lower().split("__")
            keys.append((section, key))
    return keys


@pytest.mark.parametrize("stack", SHIPPED_STACKS)
def test_every_option_the_kit_sets_is_known_to_airflow_and_parses(stack, tmp_path):
    cfg = shipped_stack(stack)
    config, environment = effective_airflow_config(cfg), kit_environment(cfg)
    home = AirflowHome.create(tmp_path / "home", config, environment)

    kit_keys = _kit_keys(config, environment)
    result = home.python(KNOWN_OPTIONS.replace("KIT", repr(json.dumps(kit_keys))))

    assert result["sections"] > 20  # core and provider sections were loaded
    assert result["unknown"] == []
    assert result["unparsed"] == []


def test_vault_options_are_known_to_airflow(tmp_path):
    cfg = vault_config()
    config, environment = effective_airflow_config(cfg), kit_environment(cfg)
    home = AirflowHome.create(tmp_path / "home", config, environment)
    result = home.python(KNOWN_OPTIONS.replace("KIT", repr(json.dumps(_kit_keys(config, environment)))))
    assert result["unknown"] == []
    assert result["unparsed"] == []


@pytest.mark.parametrize("stack", [s for s in SHIPPED_STACKS if s != "local"])
def test_secrets_manager_backend_instantiates_with_the_kit_kwargs(stack, tmp_path):
    cfg = shipped_stack(stack)
    home = AirflowHome.create(tmp_path / "home", effective_airflow_config(cfg), kit_environment(cfg))

    backends = home.python(SECRETS_BACKEND)

    expected = {
        "class": "airflow.providers.amazon.aws.secrets.secrets_manager.SecretsManagerBackend",
        "connections_prefix": f"airflow/{stack}/connections",
        "variables_prefix": f"airflow/{stack}/variables",
        "config_prefix": f"airflow/{stack}/config",
        "region_name": "eu-west-1",
    }
    assert backends == {"server": expected, "worker": expected}


def test_local_stack_has_no_secrets_backend(tmp_path):
    cfg = shipped_stack("local")
    home = AirflowHome.create(tmp_path / "home", effective_airflow_config(cfg), kit_environment(cfg))
    assert home.python(SECRETS_BACKEND) == {"server": None, "worker": None}


def test_vault_backend_instantiates_with_kubernetes_auth_and_the_address_from_the_secret(tmp_path):
    cfg = vault_config("https://vault.internal.example.com:8200", vault={"role": "airflow-lab", "authMountPath": "k8s"})
    environment = kit_environment(cfg)
    home = AirflowHome.create(tmp_path / "home", effective_airflow_config(cfg), environment)

    backends = home.python(SECRETS_BACKEND)

    expected = {
        "class": "airflow.providers.hashicorp.secrets.vault.VaultBackend",
        "url": None,  # hvac takes VAULT_ADDR from the environment
        "auth_type": "kubernetes",
        "kubernetes_role": "airflow-lab",
        "auth_mount_point": "k8s",
        "mount_point": "airflow",
        "kv_engine_version": 2,
        "connections_path": ["airflow/lab/connections"],
        "variables_path": ["airflow/lab/variables"],
        "config_path": ["airflow/lab/config"],
    }
    assert backends == {"server": expected, "worker": expected}
    assert environment["VAULT_ADDR"] == "https://vault.internal.example.com:8200"
