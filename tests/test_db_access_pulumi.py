"""Least-privilege roles and verified TLS through the Pulumi program, under the mock engine.

What each Secret holds is read from the inputs the mock receives (the recorded registrations mask
secrets), so a test sees exactly what Kubernetes would store.
"""

from __future__ import annotations

import json
from typing import Any

import pulumi

from components.config.errors import PROJECT
from components.plan.engine import KitMocks, run_under_mocks
from components.plan.standins.other import STANDIN_CA_BUNDLE
from components.values.database_access import rds_ca_bundle_url
from tests.support.manifests import shipped_manifests
from tests.support.programs import (
    APPLICATION_PASSWORD,
    CA_BUNDLE,
    DB_PASSWORD,
    KEDA_PASSWORD,
    RecordingMocks,
    airflow_program,
    resolved,
    run_data_plane,
)
from tests.support.stacks import problems, shipped_stack, stack

SECRET = "kubernetes:core/v1:Secret"
CONFIG_MAP = "kubernetes:core/v1:ConfigMap"
RANDOM_PASSWORD = "random:index/randomPassword:RandomPassword"


class CapturingMocks(KitMocks):
    """The kit's stand-ins, keeping every resource's inputs in the clear, by resource name."""

    def __init__(self) -> None:
        super().__init__()
        self.inputs: dict[str, dict[str, Any]] = {}

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        self.inputs[args.name] = args.inputs
        return super().new_resource(args)


def _airflow(cfg, db_password: str = DB_PASSWORD) -> tuple[CapturingMocks, Any]:
    mocks = CapturingMocks()
    run = run_under_mocks(
        airflow_program(cfg, db_password=db_password), project=PROJECT, stack=cfg.stack, config={}, mocks=mocks
    )
    return mocks, run


def _clear(value: Any) -> Any:
    """The mock sees a secret as ``{<signature>: <secret>, "value": ...}``."""
    return value["value"] if isinstance(value, dict) and "value" in value and len(value) == 2 else value


def _data(mocks: CapturingMocks, name: str) -> dict[str, str]:
    return {key: _clear(item) for key, item in _clear(mocks.inputs[name]["stringData"]).items()}


def test_no_long_running_pod_gets_the_master_password():
    mocks, _ = _airflow(shipped_stack("prod"))
    metadata = _data(mocks, "test-airflow-metadata")
    pgbouncer = _data(mocks, "test-airflow-pgbouncer-config")
    stats = _data(mocks, "test-airflow-pgbouncer-stats")
    result_backend = _data(mocks, "test-airflow-result-backend")
    pods_read = json.dumps([metadata, pgbouncer, stats, result_backend])
    assert "SENTINEL-db-password" not in pods_read
    assert "airflow_app:SENTINEL-app-password" in metadata["connection"]
    assert '"airflow_app" "SENTINEL-app-password/with:chars@"' in pgbouncer["users.txt"]
    assert f'"airflow_keda" "{KEDA_PASSWORD}"' in pgbouncer["users.txt"]
    assert "stats_users = airflow_app" in pgbouncer["pgbouncer.ini"]
    # KEDA's scaler: the read-only role, through PgBouncer's metadata pool.
    assert metadata["kedaConnection"].startswith(f"postgresql://airflow_keda:{KEDA_PASSWORD}@airflow-pgbouncer.")
    # Only the migration Job's Secret holds the master user, for the bootstrap.
    direct = _data(mocks, "test-airflow-metadata-direct")
    assert direct["master-connection"].startswith("postgresql://airflow:SENTINEL-db-password")
    assert direct["application-password"] == APPLICATION_PASSWORD
    assert direct["keda-password"] == KEDA_PASSWORD
    assert direct["connection"].startswith("postgresql://airflow_app:")


def test_keda_reads_its_own_connection_from_the_metadata_secret():
    _, run = _airflow(shipped_stack("prod"))
    values = run.named("test-airflow-release").inputs["values"]
    # The chart then sets KEDA_DB_CONN from the metadata Secret's `kedaConnection`.
    assert values["workers"]["celery"]["keda"]["usePgbouncer"] is False
    assert values["data"]["metadataSecretName"] == "airflow-metadata"


def test_a_new_master_password_rolls_no_airflow_pod():
    def annotations(password: str) -> tuple[Any, Any]:
        _, run = _airflow(shipped_stack("prod"), db_password=password)
        values = run.named("test-airflow-release").inputs["values"]
        return values["airflowPodAnnotations"], values["pgbouncer"]["podAnnotations"]

    assert annotations("SENTINEL-old-master") == annotations("SENTINEL-new-master")


def test_roles_off_keeps_everything_on_the_master_user():
    mocks, run = _airflow(stack("prod", database={"roles": {"enabled": False}}))
    assert "airflow:SENTINEL-db-password" in _data(mocks, "test-airflow-metadata")["connection"].replace("%2F", "/")
    assert "kedaConnection" not in _data(mocks, "test-airflow-metadata")
    [container] = run.named("test-airflow-migrate").inputs["spec"]["template"]["spec"]["containers"]
    assert "KIT_ROLE_BOOTSTRAP" not in container["args"][2]
    values = run.named("test-airflow-release").inputs["values"]
    assert values["workers"]["celery"]["keda"].get("usePgbouncer", True) is True  # KEDA: Airflow's connection


def test_verify_full_reaches_pgbouncer_airflow_and_the_migration_job():
    mocks, run = _airflow(shipped_stack("prod"))
    [config_map] = run.of_type(CONFIG_MAP)
    assert config_map.inputs["metadata"]["name"] == "airflow-rds-ca"
    assert _clear(mocks.inputs[config_map.name]["data"]) == {"rds-ca-bundle.pem": CA_BUNDLE}
    assert config_map.name in run.named("test-airflow-migrate").depends_on
    assert config_map.name in run.named("test-airflow-release").depends_on

    ini = _data(mocks, "test-airflow-pgbouncer-config")["pgbouncer.ini"]
    assert "server_tls_sslmode = verify-full" in ini
    assert "server_tls_ca_file = /etc/airflow-ha/rds-ca/rds-ca-bundle.pem" in ini
    assert "sslmode=verify-full" in _data(mocks, "test-airflow-metadata-direct")["connection"]

    values = run.named("test-airflow-release").inputs["values"]
    mount = {"name": "rds-ca", "mountPath": "/etc/airflow-ha/rds-ca", "readOnly": True}
    assert mount in values["volumeMounts"]  # the chart mounts these in Airflow's pods and PgBouncer's
    assert {"name": "tmp", "mountPath": "/tmp"} in values["volumeMounts"]
    assert {"name": "PGSSLROOTCERT", "value": "/etc/airflow-ha/rds-ca/rds-ca-bundle.pem"} in values["env"]
    job_spec = run.named("test-airflow-migrate").inputs["spec"]["template"]["spec"]
    assert mount in job_spec["containers"][0]["volumeMounts"]
    assert any(volume.get("configMap", {}).get("name") == "airflow-rds-ca" for volume in job_spec["volumes"])


def test_require_mounts_no_bundle():
    mocks, run = _airflow(stack("prod", database={"tls": {"mode": "require"}}))
    assert run.of_type(CONFIG_MAP) == []
    ini = _data(mocks, "test-airflow-pgbouncer-config")["pgbouncer.ini"]
    assert "server_tls_sslmode = require" in ini
    assert "server_tls_ca_file" not in ini


def test_the_data_plane_fetches_the_regional_bundle_and_generates_the_role_passwords():
    plane = run_data_plane("prod")
    assert resolved(plane.outputs.database.ca_bundle) == STANDIN_CA_BUNDLE
    assert "http:index/getHttp:getHttp" in plane.mocks.invoke_providers
    assert rds_ca_bundle_url("eu-west-1") == ("https://truststore.pki.rds.amazonaws.com/eu-west-1/eu-west-1-bundle.pem")
    passwords = {r.name for r in plane.of_type(RANDOM_PASSWORD)}
    assert {"prod-aws-database-application-password", "prod-aws-database-keda-password"} <= passwords
    assert plane.outputs.database.application_role.name == "airflow_app"
    assert plane.outputs.database.keda_role.name == "airflow_keda"


def test_a_bundle_file_replaces_the_fetch(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "rds.pem").write_text(CA_BUNDLE)
    mocks = RecordingMocks()
    plane = run_data_plane("prod", mocks=mocks, database={"tls": {"caBundleFile": "rds.pem"}})
    assert resolved(plane.outputs.database.ca_bundle) == CA_BUNDLE
    assert "http:index/getHttp:getHttp" not in mocks.invoke_providers


def test_roles_off_generates_no_role_passwords():
    plane = run_data_plane("prod", database={"roles": {"enabled": False}})
    assert [r.name for r in plane.of_type(RANDOM_PASSWORD) if "application" in r.name or "keda" in r.name] == []


def test_config_refuses_what_cannot_work(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "empty.pem").write_text("not a certificate")
    found = dict(
        problems(
            "staging",
            pgbouncer={"enabled": False},
            database={"roles": {"keda": "airflow"}, "tls": {"caBundleFile": "empty.pem"}},
        )
    )
    assert "needs pgbouncer.enabled" in found["database.tls.mode"]
    assert "database.username" in found["database.roles.keda"]
    assert "holds no PEM certificate" in found["database.tls.caBundleFile"]
    missing = dict(problems("prod", database={"tls": {"caBundleFile": "absent.pem"}}))
    assert "truststore.pki.rds.amazonaws.com" in missing["database.tls.caBundleFile"]
    reserved = dict(problems("prod", database={"roles": {"application": "rds_app"}}))
    assert "reserved" in reserved["database.roles.application"]


def test_the_real_chart_gives_keda_its_role_and_every_database_client_the_bundle():
    manifests = shipped_manifests("prod")
    [scaled] = manifests.of_kind("ScaledObject").values()
    assert scaled["spec"]["triggers"][0]["metadata"]["connectionFromEnv"] == "KEDA_DB_CONN"
    deployments = manifests.of_kind("Deployment")
    [worker] = (d for name, d in deployments.items() if name.endswith("-worker"))
    [worker_container] = (c for c in worker["spec"]["template"]["spec"]["containers"] if c["name"] == "worker")
    keda_env = next(e for e in worker_container["env"] if e["name"] == "KEDA_DB_CONN")
    assert keda_env["valueFrom"]["secretKeyRef"] == {"name": "airflow-metadata", "key": "kedaConnection"}
    for name in ("airflow-pgbouncer", "airflow-scheduler", "airflow-api-server"):
        spec = deployments[name]["spec"]["template"]["spec"]
        [volume] = (v for v in spec["volumes"] if v["name"] == "rds-ca")
        assert volume["configMap"]["name"] == "airflow-rds-ca", name
        main = spec["containers"][0]
        assert any(m["name"] == "rds-ca" and m["mountPath"] == "/etc/airflow-ha/rds-ca" for m in main["volumeMounts"])
    scheduler = deployments["airflow-scheduler"]["spec"]["template"]["spec"]["containers"][0]
    assert {"name": "PGSSLROOTCERT", "value": "/etc/airflow-ha/rds-ca/rds-ca-bundle.pem"} in scheduler["env"]
