"""The composed chart values: valid for chart 1.22.0, complete for each executor mode, and
never leaving the chart anything to generate at random."""

from __future__ import annotations

import copy
import json

import pytest

from components.config.registry import AIRFLOW_SERVICES
from components.tuning.model import PgbouncerPools
from components.values.dags import git_connection_json
from components.values.database import (
    DatabaseEndpoint,
    direct_url,
    pgbouncer_ini,
    pgbouncer_users,
    pooled_url,
    result_backend_url,
)
from components.values.logging import logging_airflow_config
from tests.support.chart import AWS_REFS, GIT_URL, compose, schema_errors
from tests.support.paths import SHIPPED_STACKS
from tests.support.stacks import names_of, shipped_stack, stack

CELERY = "CeleryExecutor"
KUBERNETES = "KubernetesExecutor"
BOTH = "CeleryExecutor,KubernetesExecutor"

VARIANTS = {
    "dev-celery": lambda: stack("dev", executor=CELERY),
    "dev-kubernetes": lambda: stack("dev", executor=KUBERNETES),
    "staging-both": lambda: stack("staging", executor=BOTH),
    "local-kubernetes": lambda: stack("local", executor=KUBERNETES),
    "local-both": lambda: stack("local", executor=BOTH),
    # Without PgBouncer, KEDA's operator connects itself and cannot verify RDS (database.tls.mode).
    "staging-pgbouncer-off": lambda: stack(
        "staging", pgbouncer={"enabled": False}, database={"tls": {"mode": "require"}}
    ),
    "dev-keda-off": lambda: stack("dev", executor=CELERY, celery={"workers": {"keda": False}}),
    "prod-git-sync-token": lambda: stack(
        "prod",
        dags={"source": "git-sync", "git": {"url": GIT_URL, "ref": "v1.2.3", "subdir": "dags"}},
        dagsGitToken="t0ken",
    ),
    "staging-git-bundle-token": lambda: stack(
        "staging", dags={"source": "git-bundle", "git": {"url": GIT_URL, "ref": "main"}}, dagsGitToken="t0ken"
    ),
    "dev-s3-bundle": lambda: stack(
        "dev", dags={"source": "s3-bundle", "s3": {"bucket": "team-dags", "prefix": "prod/"}}
    ),
    "prod-ingress-pull-secrets": lambda: stack(
        "prod",
        kubernetes={
            "ingress": {
                "enabled": True,
                "host": "airflow.example.com",
                "controllerNamespace": "ingress-system",
                "tls": {"secretName": "airflow-example-com-tls"},
            }
        },
        airflow={
            "image": {"repository": "registry.example.com/airflow", "tag": "3.2.2-team.4", "pullSecrets": ["regcred"]}
        },
    ),
    "dev-task-pods-placed": lambda: stack(
        "dev",
        kubernetesExecutor={
            "nodeSelector": {"workload": "airflow-tasks"},
            "tolerations": [{"key": "dedicated", "operator": "Equal", "value": "airflow", "effect": "NoSchedule"}],
        },
    ),
}


@pytest.mark.parametrize("name", SHIPPED_STACKS)
def test_shipped_stacks_compose_values_the_chart_schema_accepts(name):
    assert schema_errors(compose(shipped_stack(name))) == []


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_config_variants_compose_values_the_chart_schema_accepts(variant):
    assert schema_errors(compose(VARIANTS[variant]())) == []


@pytest.mark.parametrize(
    ("path", "typo"),
    [
        (("scheduler",), "replica"),
        (("workers", "celery", "keda"), "minReplicas"),
        (("pgbouncer",), "maxClientConnections"),
    ],
)
def test_schema_validation_rejects_a_typo_in_a_strict_section(path, typo):
    chart_values = copy.deepcopy(compose(shipped_stack("prod")))
    section = chart_values
    for key in path:
        section = section[key]
    section[typo] = 2
    errors = schema_errors(chart_values)
    assert any(typo in error for error in errors), errors


def test_celery_only_values_carry_broker_workers_and_keda_and_no_pod_template_settings():
    cfg = stack("prod")
    chart_values = compose(cfg)
    names = names_of(cfg)
    assert chart_values["executor"] == CELERY
    assert chart_values["data"]["brokerUrlSecretName"] == names.secret("broker-url")
    assert chart_values["data"]["resultBackendSecretName"] == names.secret("result-backend")
    celery = chart_values["workers"]["celery"]
    assert celery["keda"]["enabled"] is True
    assert 1 <= celery["keda"]["minReplicaCount"] <= celery["keda"]["maxReplicaCount"]
    assert celery["resources"] == {"requests": {"cpu": "4", "memory": "8Gi"}, "limits": {"cpu": "4", "memory": "16Gi"}}
    assert "kubernetes" not in chart_values["workers"]
    assert "kubernetes_executor" not in chart_values["config"]


def test_kubernetes_executor_values_carry_the_pod_template_and_nothing_of_celery():
    cfg = VARIANTS["dev-task-pods-placed"]()
    chart_values = compose(cfg)
    assert chart_values["executor"] == KUBERNETES
    assert "celery" not in chart_values["workers"]
    assert chart_values["redis"]["enabled"] is False
    # Named although no Celery pod reads it: otherwise the chart renders a hook Secret holding `%!s(<nil>)`.
    assert chart_values["data"]["brokerUrlSecretName"] == "airflow-broker-url"
    assert "resultBackendSecretName" not in chart_values["data"]
    assert "celery" not in chart_values["config"]
    pod_template = chart_values["workers"]["kubernetes"]
    assert pod_template["resources"] == {
        "requests": {"cpu": "250m", "memory": "512Mi"},
        "limits": {"cpu": "250m", "memory": "1Gi"},
    }
    assert pod_template["nodeSelector"] == {"workload": "airflow-tasks"}
    assert pod_template["tolerations"] == [
        {"key": "dedicated", "operator": "Equal", "value": "airflow", "effect": "NoSchedule"}
    ]
    assert pod_template["serviceAccount"]["create"] is True
    assert pod_template["serviceAccount"]["annotations"] == {
        "eks.amazonaws.com/role-arn": AWS_REFS.role_arns["workers"]
    }


def test_both_executors_configure_each_part_and_share_one_worker_service_account():
    cfg = stack("staging", executor=BOTH)
    chart_values = compose(cfg)
    workers = chart_values["workers"]
    worker_account = "airflow-worker"
    assert workers["celery"]["serviceAccount"] == {
        "create": True,
        "name": worker_account,
        "annotations": {"eks.amazonaws.com/role-arn": AWS_REFS.role_arns["workers"]},
        "automountServiceAccountToken": False,
    }
    # The Celery part creates the account; task pods only reference it.
    assert workers["kubernetes"]["serviceAccount"] == {
        "create": False,
        "name": worker_account,
        "automountServiceAccountToken": False,
    }
    assert workers["kubernetes"]["resources"]["requests"] == {"cpu": "250m", "memory": "512Mi"}
    assert workers["celery"]["resources"]["requests"] == {"cpu": "2", "memory": "4Gi"}
    assert chart_values["data"]["brokerUrlSecretName"]


def test_every_secret_the_chart_would_generate_is_supplied_by_name():
    for cfg in (shipped_stack("prod"), shipped_stack("local"), stack("dev", executor=KUBERNETES)):
        chart_values = compose(cfg)
        names = names_of(cfg)
        assert chart_values["fernetKeySecretName"] == names.secret("fernet-key")
        assert chart_values["apiSecretKeySecretName"] == names.secret("api-secret-key")
        assert chart_values["jwtSecretName"] == names.secret("jwt-secret")
        assert chart_values["data"]["metadataSecretName"] == names.secret("metadata")
        for inline in ("fernetKey", "apiSecretKey", "jwtSecret", "webserverSecretKey"):
            assert chart_values.get(inline) is None
        assert "metadataConnection" not in chart_values["data"]
        assert "brokerUrl" not in chart_values["data"]
        if cfg.pgbouncer.enabled:
            assert chart_values["pgbouncer"]["configSecretName"] == names.secret("pgbouncer-config")
            assert chart_values["pgbouncer"]["metricsExporterSidecar"]["statsSecretName"] == names.secret(
                "pgbouncer-stats"
            )


def test_local_celery_uses_the_charts_redis_with_the_kits_password_and_broker_secret():
    cfg = shipped_stack("local")
    chart_values = compose(cfg)
    names = names_of(cfg)
    assert chart_values["redis"] == chart_values["redis"] | {
        "enabled": True,
        "passwordSecretName": names.secret("redis-password"),
    }
    assert "password" not in chart_values["redis"]
    assert chart_values["data"]["brokerUrlSecretName"] == names.secret("broker-url")
    assert chart_values["postgresql"]["enabled"] is False  # the kit's own PostgreSQL, see local_database.py


def test_aws_tiers_use_external_stores_and_no_in_cluster_databases():
    for name in ("dev", "staging", "prod"):
        chart_values = compose(shipped_stack(name))
        assert chart_values["redis"]["enabled"] is False
        assert chart_values["postgresql"]["enabled"] is False


def test_prod_is_highly_available_with_budgets_and_zone_spread():
    cfg = shipped_stack("prod")
    chart_values = compose(cfg)
    release = cfg.kubernetes.release_name
    expected = {
        "scheduler": ("scheduler", cfg.scheduler),
        "apiServer": ("api-server", cfg.api_server),
        "triggerer": ("triggerer", cfg.triggerer),
        "dagProcessor": ("dag-processor", cfg.dag_processor),
        "pgbouncer": ("pgbouncer", cfg.pgbouncer),
    }
    assert chart_values["scheduler"]["replicas"] == 3  # the prod stack file asks for three
    for component, (label, spec) in expected.items():
        values = chart_values[component]
        assert values["replicas"] == spec.replicas >= 2
        assert values["podDisruptionBudget"] == {"enabled": True, "config": {"maxUnavailable": 1}}
        assert values["resources"] == spec.resources.model_dump(by_alias=True, exclude_none=True)
        selector = {"matchLabels": {"tier": "airflow", "component": label, "release": release}}
        assert values["topologySpreadConstraints"] == [
            {
                "maxSkew": 1,
                "topologyKey": "topology.kubernetes.io/zone",
                "whenUnsatisfiable": "DoNotSchedule",
                "labelSelector": selector,
            }
        ]
        anti_affinity = values["affinity"]["podAntiAffinity"]["preferredDuringSchedulingIgnoredDuringExecution"]
        assert anti_affinity == [
            {"weight": 100, "podAffinityTerm": {"labelSelector": selector, "topologyKey": "kubernetes.io/hostname"}}
        ]
    assert chart_values["triggerer"]["enabled"] is True


def test_zone_spread_is_only_preferred_below_prod_and_absent_on_a_laptop():
    staging = compose(shipped_stack("staging"))
    assert staging["scheduler"]["topologySpreadConstraints"][0]["whenUnsatisfiable"] == "ScheduleAnyway"
    local = compose(shipped_stack("local"))
    assert "topologySpreadConstraints" not in local["scheduler"]
    assert local["triggerer"]["enabled"] is True  # deferrable operators need it in every tier


def test_no_chart_hook_jobs_and_no_default_admin_user():
    for name in SHIPPED_STACKS:
        chart_values = compose(shipped_stack(name))
        assert chart_values["migrateDatabaseJob"]["enabled"] is False
        assert chart_values["createUserJob"]["enabled"] is False
        for job in ("migrateDatabaseJob", "createUserJob"):
            # Should anyone turn them back on, they must not become hooks a waiting release deadlocks on.
            assert chart_values[job]["useHelmHooks"] is False
            assert chart_values[job]["applyCustomEnv"] is False
        for service in AIRFLOW_SERVICES:
            assert chart_values[service.chart_key]["waitForMigrations"]["enabled"] is True


def test_security_contexts_are_non_root_without_escalation_or_capabilities():
    chart_values = compose(shipped_stack("prod"))
    contexts = [
        chart_values["securityContexts"],
        chart_values["pgbouncer"]["securityContexts"],
        chart_values["statsd"]["securityContexts"],
    ]
    for context in contexts:
        pod = context["pod"]
        container = context.get("containers") or context.get("container")
        assert pod["runAsNonRoot"] is True
        assert pod["runAsUser"] != 0
        assert container["allowPrivilegeEscalation"] is False
        assert container["capabilities"] == {"drop": ["ALL"]}


def test_network_policies_admit_the_releases_pods_and_the_ingress_controller_to_the_api_server():
    cfg = VARIANTS["prod-ingress-pull-secrets"]()
    chart_values = compose(cfg)
    assert chart_values["networkPolicies"] == {"enabled": True}
    peers = chart_values["apiServer"]["networkPolicy"]["ingress"]["from"]
    assert {"podSelector": {"matchLabels": {"tier": "airflow", "release": cfg.kubernetes.release_name}}} in peers
    assert {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "ingress-system"}}} in peers
    assert chart_values["ingress"]["apiServer"]["hosts"] == [
        {"name": "airflow.example.com", "tls": {"enabled": True, "secretName": "airflow-example-com-tls"}}
    ]


def test_service_accounts_are_pinned_and_carry_their_irsa_roles():
    cfg = shipped_stack("prod")
    chart_values = compose(cfg)
    expected = {
        "scheduler": "airflow-scheduler",
        "apiServer": "airflow-api-server",
        "triggerer": "airflow-triggerer",
        "dagProcessor": "airflow-dag-processor",
    }
    for component, name in expected.items():
        account = chart_values[component]["serviceAccount"]
        assert account["name"] == name
        assert account["annotations"] == {"eks.amazonaws.com/role-arn": AWS_REFS.role_arns[component]}
    assert chart_values["workers"]["celery"]["serviceAccount"]["name"] == "airflow-worker"


def test_worker_logs_go_to_s3_so_workers_get_no_volume_on_aws():
    assert compose(shipped_stack("prod"))["workers"]["celery"]["persistence"] == {"enabled": False}
    assert compose(shipped_stack("local"))["workers"]["celery"]["persistence"]["enabled"] is True


def test_image_and_version_come_from_the_stack_config():
    chart_values = compose(VARIANTS["prod-ingress-pull-secrets"]())
    assert chart_values["images"]["airflow"]["repository"] == "registry.example.com/airflow"
    assert chart_values["images"]["airflow"]["tag"] == "3.2.2-team.4"
    assert chart_values["imagePullSecrets"] == [{"name": "regcred"}]
    assert chart_values["airflowVersion"] == "3.2.2"


def test_config_values_are_strings_as_the_chart_templates_them():
    chart_values = compose(shipped_stack("prod"))
    assert chart_values["config"]["logging"]["remote_logging"] == "True"
    assert all(isinstance(value, str) for options in chart_values["config"].values() for value in options.values())


def test_remote_logging_writes_to_the_stack_bucket_through_a_keyless_aws_connection():
    cfg = shipped_stack("prod")
    logging = logging_airflow_config(AWS_REFS)["logging"]
    assert logging["remote_base_log_folder"] == "s3://airflow-ha-test-logs/logs"
    env = {item["name"]: item["value"] for item in compose(cfg)["env"]}
    connection = json.loads(env[f"AIRFLOW_CONN_{logging['remote_log_conn_id'].upper()}"])
    assert connection == {"conn_type": "aws", "extra": {"region_name": "eu-west-1"}}
    assert logging_airflow_config(None) == {}


def test_remote_logging_option_names_exist_in_airflow():
    conf = pytest.importorskip("airflow.configuration").conf

    options = conf.configuration_description["logging"]["options"]
    for key in logging_airflow_config(AWS_REFS)["logging"]:
        assert key in options, key


def test_git_bundle_reads_its_token_from_a_secret_connection():
    cfg = VARIANTS["staging-git-bundle-token"]()
    chart_values = compose(cfg)
    [bundle] = chart_values["dagProcessor"]["dagBundleConfigList"]
    assert bundle["classpath"] == "airflow.providers.git.bundles.git.GitDagBundle"
    assert bundle["kwargs"] == {
        "repo_url": GIT_URL,
        "tracking_ref": "main",
        "refresh_interval": 300,
        "git_conn_id": "dags_git",
    }
    assert {
        "envName": "AIRFLOW_CONN_DAGS_GIT",
        "secretName": names_of(cfg).secret("dags-git"),
        "secretKey": "connection",
    } in chart_values["secret"]
    assert "t0ken" not in json.dumps(chart_values)
    assert json.loads(git_connection_json(GIT_URL, "t0ken")) == {
        "conn_type": "git",
        "host": GIT_URL,
        "login": "git",
        "password": "t0ken",
    }


def test_s3_bundle_uses_the_keyless_aws_connection():
    chart_values = compose(VARIANTS["dev-s3-bundle"]())
    [bundle] = chart_values["dagProcessor"]["dagBundleConfigList"]
    s3_bundle = pytest.importorskip("airflow.providers.amazon.aws.bundles.s3").S3DagBundle

    assert bundle["classpath"] == f"{s3_bundle.__module__}.{s3_bundle.__name__}"
    assert bundle["kwargs"] == {
        "aws_conn_id": "aws_irsa",
        "bucket_name": "team-dags",
        "prefix": "prod/",
        "refresh_interval": 300,
    }


def test_git_sync_pins_the_ref_and_takes_credentials_from_a_secret():
    cfg = VARIANTS["prod-git-sync-token"]()
    git_sync = compose(cfg)["dags"]["gitSync"]
    assert git_sync | {"enabled": True} == git_sync
    assert (git_sync["repo"], git_sync["ref"], git_sync["subPath"]) == (GIT_URL, "v1.2.3", "dags")
    assert git_sync["credentialsSecret"] == names_of(cfg).secret("dags-git")


def test_dags_baked_into_the_image_keep_the_charts_default_bundle():
    chart_values = compose(stack("prod", dags={"source": "image"}))
    assert "dagBundleConfigList" not in chart_values["dagProcessor"]
    assert chart_values["dags"]["gitSync"].get("enabled") is not True


# --- connection strings ---------------------------------------------------------------------

RDS = DatabaseEndpoint(
    host="db.example.rds.amazonaws.com",
    port=5432,
    name="airflow",
    user="airflow",
    password="p@ss/w:rd%",
    sslmode="require",
)


def test_connection_urls_use_postgresql_and_encode_the_password():
    names = names_of(shipped_stack("prod"))
    assert (
        direct_url(RDS)
        == "postgresql://airflow:p%40ss%2Fw%3Ard%25@db.example.rds.amazonaws.com:5432/airflow?sslmode=require"
    )
    assert pooled_url(RDS, names) == (
        "postgresql://airflow:p%40ss%2Fw%3Ard%25@airflow-pgbouncer.airflow.svc.cluster.local:6543/airflow-metadata?sslmode=disable"
    )
    assert result_backend_url(RDS, names, pgbouncer=False).startswith("db+postgresql://airflow:p%40ss")
    assert "airflow-result-backend" in result_backend_url(RDS, names, pgbouncer=True)


def test_pgbouncer_reaches_the_database_with_tls_and_pools_sized_from_config():
    names = names_of(shipped_stack("prod"))
    ini = pgbouncer_ini(
        RDS, names, PgbouncerPools(max_client_conn=700, metadata_pool_size=41, result_backend_pool_size=12)
    )
    assert "airflow-metadata = host=db.example.rds.amazonaws.com dbname=airflow port=5432 pool_size=41" in ini
    assert "airflow-result-backend = host=db.example.rds.amazonaws.com dbname=airflow port=5432 pool_size=12" in ini
    assert "max_client_conn = 700" in ini.splitlines()
    assert "server_tls_sslmode = require" in ini.splitlines()
    without_celery = pgbouncer_ini(
        RDS, names, PgbouncerPools(max_client_conn=100, metadata_pool_size=10, result_backend_pool_size=None)
    )
    assert "result-backend" not in without_celery
    assert pgbouncer_users(DatabaseEndpoint("h", 1, "d", "u", 'pa"ss', "require")) == '"u" "pa""ss"\n'
