"""The chart 1.22.0 itself, rendered offline with the composed values (helm-python-sdk).

The archive is ``../shared/airflow-1.22.0.tgz`` beside the repository (or ``AIRFLOW_CHART_TGZ``),
so every run of the suite renders the real chart.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from components.config.registry import SERVICE_ACCOUNT_COMPONENTS
from tests.support.chart import AWS_REFS, chart_archive, compose
from tests.support.stacks import names_of, shipped_stack, stack

# Secrets the chart fills with randAlphaNum when the kit does not name its own.
RANDOM_SECRET_SUFFIXES = ("-fernet-key", "-jwt-secret", "-api-secret-key", "-webserver-secret-key", "-redis-password")


def render_text(cfg) -> str:
    from components.plan.render import render_chart

    names = names_of(cfg)
    return render_chart(Path(chart_archive()), compose(cfg), names.release, names.namespace)


@cache
def rendered(stack_name: str) -> tuple[dict[str, Any], ...]:
    return tuple(document for document in yaml.safe_load_all(render_text(shipped_stack(stack_name))) if document)


def of_kind(documents, kind: str) -> dict[str, dict[str, Any]]:
    return {document["metadata"]["name"]: document for document in documents if document["kind"] == kind}


def test_prod_replica_counts_and_disruption_budgets():
    documents = rendered("prod")
    deployments = of_kind(documents, "Deployment")
    cfg = shipped_stack("prod")
    expected = {
        "airflow-scheduler": cfg.scheduler.replicas,
        "airflow-api-server": cfg.api_server.replicas,
        "airflow-triggerer": cfg.triggerer.replicas,
        "airflow-dag-processor": cfg.dag_processor.replicas,
        "airflow-pgbouncer": cfg.pgbouncer.replicas,
    }
    assert {name: deployments[name]["spec"]["replicas"] for name in expected} == expected
    assert deployments["airflow-scheduler"]["spec"]["replicas"] == 3
    budgets = of_kind(documents, "PodDisruptionBudget")
    for name in (*expected, "airflow-worker"):
        assert budgets[f"{name}-pdb"]["spec"]["maxUnavailable"] == 1
    # KEDA owns the worker count, between the derived bounds.
    [scaler] = of_kind(documents, "ScaledObject").values()
    assert scaler["spec"]["scaleTargetRef"] == {
        "kind": "Deployment",
        "name": "airflow-worker",
        "envSourceContainerName": "worker",
    }
    assert "StatefulSet" not in {document["kind"] for document in documents}  # no worker PVC with logs in S3


@pytest.mark.parametrize("stack_name", ["local", "dev", "staging", "prod"])
def test_no_randomly_generated_secret(stack_name):
    cfg = shipped_stack(stack_name)
    first = render_text(cfg)
    assert render_text(cfg) == first  # anything random would differ between two renders
    secrets = of_kind([document for document in yaml.safe_load_all(first) if document], "Secret")
    assert not [name for name in secrets if name.endswith(RANDOM_SECRET_SUFFIXES)]
    assert not [
        name
        for name in secrets
        if name.endswith(("-metadata", "-result-backend", "-pgbouncer-config", "-pgbouncer-stats"))
    ]


@pytest.mark.parametrize("stack_name", ["dev", "prod"])
def test_service_accounts_carry_irsa_annotations(stack_name):
    accounts = of_kind(rendered(stack_name), "ServiceAccount")
    names = names_of(shipped_stack(stack_name))
    for component in SERVICE_ACCOUNT_COMPONENTS:
        account = accounts[names.service_account(component)]
        role_arn = AWS_REFS.role_arns[component.chart_key]
        assert account["metadata"]["annotations"] == {"eks.amazonaws.com/role-arn": role_arn}


def test_migrations_run_outside_the_chart_and_pods_wait_for_them():
    for stack_name in ("local", "dev", "staging", "prod"):
        documents = rendered(stack_name)
        assert not of_kind(documents, "Job"), "the chart must not run its own migration or user Jobs"
        hooks = [
            document["metadata"]["name"]
            for document in documents
            if "helm.sh/hook" in (document["metadata"].get("annotations") or {}) and document["kind"] != "Secret"
        ]
        assert hooks == []
        for name in ("airflow-scheduler", "airflow-api-server", "airflow-triggerer", "airflow-dag-processor"):
            init = [
                container["name"]
                for container in of_kind(documents, "Deployment")[name]["spec"]["template"]["spec"]["initContainers"]
            ]
            assert "wait-for-airflow-migrations" in init


def test_task_pod_template_takes_resources_placement_and_the_worker_account():
    cfg = stack(
        "dev",
        kubernetesExecutor={
            "nodeSelector": {"workload": "airflow-tasks"},
            "tolerations": [{"key": "dedicated", "operator": "Exists", "effect": "NoSchedule"}],
        },
    )
    documents = [document for document in yaml.safe_load_all(render_text(cfg)) if document]
    config_map = of_kind(documents, "ConfigMap")["airflow-config"]
    pod = yaml.safe_load(config_map["data"]["pod_template_file.yaml"])
    spec = pod["spec"]
    [base] = [container for container in spec["containers"] if container["name"] == "base"]
    assert base["resources"] == {
        "requests": {"cpu": "250m", "memory": "512Mi"},
        "limits": {"cpu": "250m", "memory": "1Gi"},
    }
    assert spec["nodeSelector"] == {"workload": "airflow-tasks"}
    assert spec["tolerations"] == [{"key": "dedicated", "operator": "Exists", "effect": "NoSchedule"}]
    assert spec["serviceAccountName"] == "airflow-worker"
    assert spec["securityContext"]["runAsNonRoot"] is True
    assert base["securityContext"]["capabilities"] == {"drop": ["ALL"]}
    assert "airflow-worker" not in of_kind(documents, "Deployment")
    assert "airflow-redis" not in of_kind(documents, "StatefulSet")


def test_api_server_policy_admits_workers_and_the_ingress_controller():
    [policy] = [
        p for name, p in of_kind(rendered("prod"), "NetworkPolicy").items() if name == "airflow-api-server-policy"
    ]
    peers = policy["spec"]["ingress"][0]["from"]
    assert {"podSelector": {"matchLabels": {"tier": "airflow", "release": "airflow"}}} in peers
    assert {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "ingress-nginx"}}} in peers


def test_every_airflow_container_runs_unprivileged():
    for document in rendered("prod"):
        if document["kind"] not in ("Deployment", "StatefulSet"):
            continue
        spec = document["spec"]["template"]["spec"]
        assert spec["securityContext"].get("runAsNonRoot") is True, document["metadata"]["name"]
        for container in [*spec["containers"], *spec.get("initContainers", [])]:
            context = container["securityContext"]
            assert context["allowPrivilegeEscalation"] is False, (document["metadata"]["name"], container["name"])
            assert context["capabilities"] == {"drop": ["ALL"]}


def test_secret_checksums_reach_the_pod_templates_that_read_those_secrets():
    """A changed Secret must change the pod template, or running pods keep the old credentials."""
    from components.config.tiers import deep_merge
    from components.plan.render import render_chart
    from components.values.rollout import ANNOTATION, rollout_annotations

    cfg = shipped_stack("prod")
    names = names_of(cfg)
    values = deep_merge(compose(cfg), rollout_annotations({"airflow": "aaaa", "pgbouncer": "bbbb"}))
    documents = [
        d for d in yaml.safe_load_all(render_chart(Path(chart_archive()), values, names.release, names.namespace)) if d
    ]
    deployments = of_kind(documents, "Deployment")
    annotation = {
        name: d["spec"]["template"]["metadata"].get("annotations", {}).get(ANNOTATION)
        for name, d in deployments.items()
    }
    assert annotation["airflow-pgbouncer"] == "bbbb"
    for name in (
        "airflow-scheduler",
        "airflow-api-server",
        "airflow-triggerer",
        "airflow-dag-processor",
        "airflow-worker",
    ):
        assert annotation[name] == "aaaa", name


@pytest.mark.parametrize("stack_name", ["local", "dev", "staging", "prod"])
def test_the_chart_renders_no_secret_of_its_own(stack_name):
    """Every Secret the pods read is the kit's; a chart-rendered one is random or, without a broker,
    holds `%!s(<nil>)` (Go's rendering of a missing value) in a pre-install hook."""
    assert sorted(of_kind(rendered(stack_name), "Secret")) == []
