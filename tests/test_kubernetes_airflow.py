"""The Kubernetes layer under Pulumi's mock engine: the pinned release, the migration Job it
waits for, stable keys, and no secret in the clear."""

from __future__ import annotations

import base64
import json
import os

import pytest

from components.config.errors import PROJECT
from components.plan.engine import SECRET, run_under_mocks
from components.plan.standins import other
from components.values.rollout import ANNOTATION
from tests.support.chart import GIT_URL, compose
from tests.support.programs import BROKER_TOKEN, DB_PASSWORD, GIT_TOKEN, airflow_program
from tests.support.stacks import names_of, shipped_stack, stack

RELEASE = "kubernetes:helm.sh/v3:Release"
JOB = "kubernetes:batch/v1:Job"
SECRET_TYPE = "kubernetes:core/v1:Secret"
PROVIDER = "pulumi:providers:kubernetes"
RANDOM_ID = "random:index/randomId:RandomId"
RANDOM_PASSWORD = "random:index/randomPassword:RandomPassword"


def run(cfg, **program_options):
    return run_under_mocks(airflow_program(cfg, **program_options), project=PROJECT, stack=cfg.stack, config={})


def job_names(engine_run) -> dict[str, str]:
    return {registration.name: registration.inputs["metadata"]["name"] for registration in engine_run.of_type(JOB)}


def test_release_is_pinned_and_waits_for_the_migration_job_and_the_secrets():
    cfg = shipped_stack("prod")
    engine_run = run(cfg)
    [release] = engine_run.of_type(RELEASE)
    assert release.inputs["name"] == cfg.kubernetes.release_name
    assert release.inputs["namespace"] == cfg.kubernetes.namespace
    assert (release.inputs["chart"], release.inputs["version"]) == ("airflow", "1.22.0")
    assert release.inputs["repositoryOpts"] == {"repo": "https://airflow.apache.org"}
    assert release.parent == "test-airflow"
    assert "test-airflow-migrate" in release.depends_on
    for purpose in (
        "fernet-key",
        "api-secret-key",
        "jwt-secret",
        "metadata",
        "broker-url",
        "pgbouncer-config",
        "pgbouncer-stats",
    ):
        assert f"test-airflow-{purpose}" in release.depends_on


def test_release_values_are_the_composed_values_in_the_clear():
    cfg = shipped_stack("staging")
    [release] = run(cfg).of_type(RELEASE)
    values = dict(release.inputs["values"])
    # Only the rollout checksums of the Secrets' content come from the Pulumi layer.
    assert set(values.pop("airflowPodAnnotations")) == {ANNOTATION}
    assert set(values["pgbouncer"].pop("podAnnotations")) == {ANNOTATION}
    assert values == json.loads(json.dumps(compose(cfg)))
    assert release.inputs["values"]["migrateDatabaseJob"]["enabled"] is False


def test_migration_job_runs_the_target_image_straight_against_the_database():
    cfg = shipped_stack("prod")
    engine_run = run(cfg)
    job = engine_run.named("test-airflow-migrate")
    assert job.delete_before_replace is True
    spec = job.inputs["spec"]
    assert "ttlSecondsAfterFinished" not in spec  # Pulumi would recreate a Job that Kubernetes deleted
    [container] = spec["template"]["spec"]["containers"]
    assert container["image"] == "apache/airflow:3.2.2"
    # shipped prod: peak 200 tasks, so the default pool is resized to 210 slots (14 workers × 15)
    assert container["args"] == [
        "bash",
        "-c",
        'python -c "$KIT_ROLE_BOOTSTRAP" roles && airflow db migrate && python -c "$KIT_ROLE_BOOTSTRAP" grants '
        '&& exec airflow pools set default_pool 210 "Default pool"',
    ]
    env = {item["name"]: item for item in container["env"]}
    assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]["valueFrom"]["secretKeyRef"] == {
        "name": names_of(cfg).secret("metadata-direct"),
        "key": "connection",
    }
    assert "test-airflow-metadata-direct" in job.depends_on
    direct = engine_run.named("test-airflow-metadata-direct")
    assert direct.inputs["stringData"] == SECRET


def test_a_new_default_pool_size_runs_the_job_again():
    """Airflow sizes default_pool only on the first migration; the Job keeps it in step."""
    base = job_names(run(stack("prod", workload={"peakRunningTasks": 100})))["test-airflow-migrate"]
    bigger = job_names(run(stack("prod", workload={"peakRunningTasks": 150})))["test-airflow-migrate"]
    assert bigger != base
    assert bigger.startswith("airflow-migrate-3-2-2-")


def test_migration_job_name_changes_with_the_airflow_version_and_image_only():
    base = job_names(run(stack("prod", airflow={"version": "3.2.2"})))["test-airflow-migrate"]
    same = job_names(run(stack("prod", airflow={"version": "3.2.2"}, scheduler={"replicas": 4})))[
        "test-airflow-migrate"
    ]
    newer = job_names(run(stack("prod", airflow={"version": "3.2.3"})))["test-airflow-migrate"]
    rebuilt = job_names(run(stack("prod", airflow={"version": "3.2.2", "image": {"tag": "3.2.2-build7"}})))[
        "test-airflow-migrate"
    ]
    assert base == same
    assert base.startswith("airflow-migrate-3-2-2-")
    assert newer.startswith("airflow-migrate-3-2-3-")
    assert newer != base
    assert rebuilt.startswith("airflow-migrate-3-2-2-")
    assert rebuilt != base


def test_a_failed_migration_job_is_replaced_and_the_release_waits_long_enough():
    engine_run = run(shipped_stack("prod"))
    job = engine_run.named("test-airflow-migrate")
    assert job.inputs["metadata"]["annotations"]["pulumi.com/replaceUnready"] == "true"
    assert engine_run.named("test-airflow-release").inputs["timeout"] == 900


def test_stable_keys_are_generated_once_and_handed_over_as_secrets():
    cfg = shipped_stack("prod")
    first, second = run(cfg), run(cfg)
    generators = [
        r for r in first.registrations if r.type in (RANDOM_ID, RANDOM_PASSWORD) and r.parent == "test-airflow"
    ]
    assert {r.name for r in generators} >= {
        "test-airflow-fernet-key-random",
        "test-airflow-api-secret-key-random",
        "test-airflow-jwt-secret-random",
    }
    for generator in generators:
        assert "keepers" not in generator.inputs  # nothing that could change and force a new key
        assert second.named(generator.name).inputs == generator.inputs  # no input drifts between runs
    assert first.named("test-airflow-fernet-key-random").inputs["byteLength"] == 32
    for name in ("test-airflow-api-secret-key-random", "test-airflow-jwt-secret-random"):
        assert first.named(name).inputs["length"] == 64
    for purpose in ("fernet-key", "api-secret-key", "jwt-secret"):
        secret = first.named(f"test-airflow-{purpose}")
        assert secret.inputs["metadata"]["name"] == names_of(cfg).secret(purpose)
        assert secret.inputs["stringData"] == SECRET


def test_the_fernet_key_is_32_random_bytes_in_url_safe_base64():
    from cryptography.fernet import Fernet

    from components.values.fernet_keys import fernet_key_from_url_safe as fernet_key

    for _ in range(20):
        # RandomId's b64_url: URL-safe base64 of the random bytes, without padding.
        b64_url = base64.urlsafe_b64encode(os.urandom(32)).rstrip(b"=").decode()
        key = fernet_key(b64_url)
        assert len(base64.urlsafe_b64decode(key)) == 32
        Fernet(key.encode())


def test_the_fernet_key_is_guarded_like_the_database():
    """Connections and variables in a retained database are unreadable without their key."""
    prod, dev = run(shipped_stack("prod")), run(stack("dev"))
    for name in ("test-airflow-fernet-key-random", "test-airflow-fernet-key"):
        assert prod.named(name).protect
        assert prod.named(name).retain_on_delete
        assert not dev.named(name).protect


def _generated_values(engine_run) -> list[str]:
    values = []
    for registration in engine_run.registrations:
        if registration.type in (RANDOM_ID, RANDOM_PASSWORD):
            outputs = other.outputs(registration.type, registration.name, registration.inputs)
            values += [outputs.get("result"), outputs.get("b64Url"), outputs.get("hex")]
    return [value for value in values if value]


@pytest.mark.parametrize(
    "cfg_factory",
    [
        lambda: stack("prod", dags={"source": "git-bundle", "git": {"url": GIT_URL}}, dagsGitToken=GIT_TOKEN),
        lambda: stack("staging", dags={"source": "git-sync", "git": {"url": GIT_URL}}, dagsGitToken=GIT_TOKEN),
        lambda: shipped_stack("local"),
    ],
    ids=["prod-git-bundle", "staging-git-sync", "local"],
)
def test_no_secret_reaches_any_input_in_the_clear(cfg_factory):
    engine_run = run(cfg_factory())
    recorded = json.dumps([registration.inputs for registration in engine_run.registrations])
    for sentinel in (DB_PASSWORD, BROKER_TOKEN, GIT_TOKEN, *_generated_values(engine_run)):
        assert sentinel not in recorded
    assert "SENTINEL" not in recorded
    for secret in engine_run.of_type(SECRET_TYPE):
        assert secret.inputs["stringData"] == SECRET, secret.name


def test_the_eks_kubeconfig_is_a_secret_input():
    [provider] = run(shipped_stack("prod")).of_type(PROVIDER)
    assert provider.inputs["kubeconfig"] == SECRET


def test_a_named_context_replaces_the_built_kubeconfig():
    [provider] = run(stack("prod", kubernetes={"context": "ops-prod"})).of_type(PROVIDER)
    assert provider.inputs.get("context") == "ops-prod"
    assert "kubeconfig" not in provider.inputs


def test_every_kubernetes_resource_uses_the_explicit_provider_and_namespace():
    engine_run = run(shipped_stack("dev"))
    [namespace] = engine_run.of_type("kubernetes:core/v1:Namespace")
    assert namespace.inputs["metadata"]["name"] == "airflow"
    for registration in engine_run.registrations:
        if registration.type.startswith("kubernetes:") and registration.type != "kubernetes:core/v1:Namespace":
            namespace_input = registration.inputs.get("namespace") or registration.inputs["metadata"]["namespace"]
            assert namespace_input == "airflow", registration.name


def test_local_tier_runs_its_database_first_and_creates_an_admin_with_a_generated_password():
    cfg = shipped_stack("local")
    engine_run = run(cfg)
    postgres = engine_run.named("test-airflow-postgresql-statefulset")
    assert postgres.inputs["spec"]["template"]["spec"]["securityContext"]["runAsNonRoot"] is True
    migrate = engine_run.named("test-airflow-migrate")
    assert "test-airflow-postgresql-statefulset" in migrate.depends_on
    admin = engine_run.named("test-airflow-create-admin")
    assert "test-airflow-migrate" in admin.depends_on
    [container] = admin.inputs["spec"]["template"]["spec"]["containers"]
    assert "admin/admin" not in json.dumps(container)
    assert '--password "$ADMIN_PASSWORD"' in container["args"][2]
    [release] = engine_run.of_type(RELEASE)
    assert {"test-airflow-migrate", "test-airflow-create-admin", "test-airflow-redis-password"} <= set(
        release.depends_on
    )


def test_aws_tiers_create_no_admin_user():
    engine_run = run(shipped_stack("prod"))
    assert set(job_names(engine_run)) == {"test-airflow-migrate"}


def test_local_tier_deploys_through_an_explicit_provider_on_the_current_context():
    [provider] = run(stack("local")).of_type(PROVIDER)
    assert "kubeconfig" not in provider.inputs
    assert "context" not in provider.inputs
    [named] = run(shipped_stack("local")).of_type(PROVIDER)
    assert named.inputs["context"] == "kind-airflow"


def _pod_annotations(engine_run) -> tuple[dict, dict]:
    values = engine_run.named("test-airflow-release").inputs["values"]
    return values["airflowPodAnnotations"], values["pgbouncer"]["podAnnotations"]


def test_pods_roll_when_the_secrets_they_read_change():
    """Pods read connections at start-up and the chart cannot see the kit's Secrets change:
    the checksum annotations must move with the content and stay put otherwise."""
    base = _pod_annotations(run(stack("prod")))
    assert base == _pod_annotations(run(stack("prod")))
    bigger_pools = _pod_annotations(run(stack("prod", workload={"peakRunningTasks": 120})))
    assert bigger_pools[1] != base[1], "a new PgBouncer pool size must roll PgBouncer"
    assert bigger_pools[0] == base[0], "Airflow pods read nothing that changed"


def test_a_new_database_password_rolls_every_pod_that_uses_it():
    """Without roles every pod uses the master password (with roles: tests/test_db_access_pulumi.py)."""
    as_master = {"roles": {"enabled": False}}
    before = _pod_annotations(run(stack("prod", database=as_master), db_password="SENTINEL-old-password"))
    after = _pod_annotations(run(stack("prod", database=as_master), db_password="SENTINEL-new-password"))
    assert after[0] != before[0]
    assert after[1] != before[1]
    engine_run = run(stack("prod", database=as_master), db_password="SENTINEL-new-password")
    assert "SENTINEL-new-password" not in json.dumps([r.inputs for r in engine_run.registrations])
