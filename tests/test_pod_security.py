"""Pod security of every shipped stack, on the rendered chart and the kit's own objects: the
namespace's Pod Security Admission labels and every pod meeting them, read-only root filesystems,
Kubernetes API tokens exactly where the API is called, limits on every container, image digests."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from components.config.stackfile import StackFile
from components.plan.render import render_chart
from components.values.pod_security import CHART_IMAGE_TAGS, PSA_ENFORCE_VERSION
from tests.support.chart import chart_archive
from tests.support.manifests import SHIPPED_STACKS, StackManifests, containers, manifests_of, shipped_manifests
from tests.support.paths import CHART_DIR
from tests.support.pod_security import violations
from tests.support.stacks import problem_at, shipped

DIGEST = "sha256:" + "0f" * 32
AWS_STACKS = ("dev", "staging", "prod")


def variant(stack_name: str, name: str, **sections) -> StackManifests:
    """A shipped stack with some sections merged in (one level deep)."""
    stack_file = shipped(stack_name)
    values = copy.deepcopy(stack_file.values)
    for section, settings in sections.items():
        values.setdefault(f"airflow-ha:{section}", {}).update(settings)
    return manifests_of(StackFile(name, values, stack_file.secret_keys))


def pod_security(**settings) -> dict:
    return {"podSecurity": settings}


@pytest.mark.parametrize("stack_name", SHIPPED_STACKS)
def test_the_namespace_enforces_restricted_pinned_and_audits_and_warns_at_latest(stack_name):
    labels = shipped_manifests(stack_name).namespace_object["metadata"]["labels"]
    assert labels["pod-security.kubernetes.io/enforce"] == "restricted"
    assert labels["pod-security.kubernetes.io/enforce-version"] == PSA_ENFORCE_VERSION
    for mode in ("audit", "warn"):
        assert labels[f"pod-security.kubernetes.io/{mode}"] == "restricted"
        assert labels[f"pod-security.kubernetes.io/{mode}-version"] == "latest"


def test_a_stack_can_relax_enforcement_to_baseline_but_still_hears_about_restricted():
    manifests = variant("staging", "staging-baseline", kubernetes=pod_security(level="baseline"))
    labels = manifests.namespace_object["metadata"]["labels"]
    assert labels["pod-security.kubernetes.io/enforce"] == "baseline"
    assert labels["pod-security.kubernetes.io/warn"] == "restricted"
    assert "privileged" in problem_at(
        "staging", "kubernetes.podSecurity.level", kubernetes=pod_security(level="privileged")
    )


@pytest.mark.parametrize("stack_name", SHIPPED_STACKS)
def test_every_pod_meets_the_level_its_namespace_enforces(stack_name):
    manifests = shipped_manifests(stack_name)
    level = manifests.namespace_object["metadata"]["labels"]["pod-security.kubernetes.io/enforce"]
    specs = dict(manifests.pod_specs())
    assert any(where.startswith("Job/") for where in specs), "the kit's migration Job is judged too"
    refused = {where: found for where, spec in specs.items() if (found := violations(spec, level))}
    assert refused == {}


def test_the_stock_chart_would_be_refused_under_restricted():
    """The check above can fail: the chart's defaults run pods without seccomp or runAsNonRoot."""
    text = render_chart(Path(chart_archive()), {}, "airflow", "airflow")
    stock = StackManifests("stock", "airflow", tuple(d for d in yaml.safe_load_all(text) if d), ())
    refused = {where for where, spec in stock.pod_specs() if violations(spec, "restricted")}
    assert {"Deployment/airflow-scheduler", "StatefulSet/airflow-redis"} <= refused
    assert not [where for where, spec in stock.pod_specs() if violations(spec, "baseline")]


def _volume_of(spec: dict, container: dict, path: str) -> dict | None:
    mounted = {mount["mountPath"]: mount["name"] for mount in container.get("volumeMounts") or []}
    volumes = {volume["name"]: volume for volume in spec.get("volumes") or []}
    return volumes.get(mounted.get(path, ""))


@pytest.mark.parametrize("stack_name", [*AWS_STACKS, "local"])
def test_root_filesystems_are_read_only_and_tmp_is_an_empty_dir(stack_name):
    for where, spec in shipped_manifests(stack_name).pod_specs():
        if where == "StatefulSet/airflow-postgresql":  # the local tier's own PostgreSQL (allow-listed)
            continue
        for container in containers(spec):
            name = f"{where} {container['name']}"
            assert (container.get("securityContext") or {}).get("readOnlyRootFilesystem") is True, name
            if container["name"] not in ("statsd", "metrics-exporter", "redis"):  # static binaries write nothing
                assert "emptyDir" in (_volume_of(spec, container, "/tmp") or {}), f"{name}: no writable /tmp"


def test_airflow_containers_write_logs_to_a_volume():
    for where, spec in shipped_manifests("prod").pod_specs():
        for container in containers(spec):
            if any(mount["mountPath"] == "/opt/airflow/logs" for mount in container.get("volumeMounts") or []):
                assert _volume_of(spec, container, "/opt/airflow/logs") is not None, where


def test_task_containers_can_get_a_writable_root_filesystem():
    manifests = variant("staging", "staging-writable", kubernetes=pod_security(writableTaskRootFilesystem=True))
    writable = {
        f"{where} {container['name']}"
        for where, spec in manifests.pod_specs()
        for container in containers(spec)
        if not container["securityContext"].get("readOnlyRootFilesystem")
    }
    assert writable == {
        "Deployment/airflow-worker worker",
        "ConfigMap/airflow-config:pod_template_file.yaml base",
    }


def _token_mounted(manifests: StackManifests) -> set[str]:
    """Pods that get a Kubernetes API token: the pod's own setting, else its ServiceAccount's (default: yes)."""
    accounts = manifests.of_kind("ServiceAccount")
    mounted = set()
    for where, spec in manifests.pod_specs():
        account = accounts.get(spec.get("serviceAccountName", "default"), {})
        pod_level = spec.get("automountServiceAccountToken")
        if (pod_level if pod_level is not None else account.get("automountServiceAccountToken", True)) is True:
            mounted.add(where)
    return mounted


TASK_PODS = "ConfigMap/airflow-config:pod_template_file.yaml"


@pytest.mark.parametrize(
    ("stack_name", "expected"),
    [
        ("prod", set()),
        ("local", set()),
        ("dev", {"Deployment/airflow-scheduler", "Deployment/airflow-api-server"}),
        ("staging", {"Deployment/airflow-scheduler", "Deployment/airflow-api-server"}),
    ],
)
def test_tokens_are_mounted_exactly_where_the_kubernetes_api_is_called(stack_name, expected):
    assert _token_mounted(shipped_manifests(stack_name)) == expected


def test_tasks_that_launch_pods_get_tokens_and_the_pod_launcher_role():
    manifests = variant("staging", "staging-launch", kubernetes=pod_security(tasksLaunchPods=True))
    assert _token_mounted(manifests) == {
        "Deployment/airflow-scheduler",
        "Deployment/airflow-api-server",
        "Deployment/airflow-triggerer",
        "Deployment/airflow-worker",
        TASK_PODS,
    }
    assert "airflow-pod-launcher-rolebinding" in manifests.of_kind("RoleBinding")
    # Celery only, tasks launch nothing: nobody may create pods, and the api-server reads no pod logs.
    bindings = shipped_manifests("prod").of_kind("RoleBinding")
    assert "airflow-pod-launcher-rolebinding" not in bindings
    assert "airflow-pod-log-reader-rolebinding" not in bindings


@pytest.mark.parametrize("stack_name", AWS_STACKS)
def test_every_container_has_cpu_and_memory_limits(stack_name):
    unlimited = [
        f"{where} {container['name']}"
        for where, spec in shipped_manifests(stack_name).pod_specs()
        for container in containers(spec)
        if not {"cpu", "memory"} <= set((container.get("resources") or {}).get("limits") or {})
    ]
    assert unlimited == []


def test_pinned_images_reach_every_pod_task_pods_and_the_kits_jobs():
    digests = {"statsd": DIGEST, "pgbouncer": DIGEST, "pgbouncerExporter": DIGEST, "gitSync": DIGEST}
    manifests = variant(
        "dev",
        "dev-pinned",
        airflow={
            "image": {"repository": "apache/airflow", "tag": "3.2.2", "digest": DIGEST},
            "chartImageDigests": digests,
        },
        dags={"source": "git-sync", "git": {"url": "https://github.com/example-org/airflow-dags.git", "ref": "main"}},
    )
    images = {container["image"] for _, spec in manifests.pod_specs() for container in containers(spec)}
    assert images
    assert all(image.endswith(f"@{DIGEST}") for image in images), images
    assert f"apache/airflow@{DIGEST}" in images
    config = manifests.of_kind("ConfigMap")["airflow-config"]["data"]["airflow.cfg"]
    assert f"worker_container_tag = 3.2.2@{DIGEST}" in config  # what the KubernetesExecutor really runs


def test_a_digest_must_be_a_sha256_digest():
    message = problem_at("dev", "airflow.image.digest", airflow={"image": {"digest": "sha256:abc"}})
    assert "64 lowercase hex digits" in message
    problem_at("dev", "airflow.chartImageDigests.statsd", airflow={"chartImageDigests": {"statsd": "v0.30.0"}})


def test_the_chart_tags_a_digest_rides_on_are_the_chart_versions_own():
    chart_images = yaml.safe_load((CHART_DIR / "values.yaml").read_text())["images"]
    assert dict(CHART_IMAGE_TAGS.values()) == {key: chart_images[key]["tag"] for key, _ in CHART_IMAGE_TAGS.values()}
