"""The values of the official Apache Airflow Helm chart for one stack (pure).

The static part comes from ``charts-values/`` (base, executor mode, tier overlay; see
``files.py``); the computed part comes from the typed stack config, the derived tuning and the
resolved infrastructure references, and is merged on top. Credentials never appear here: the
chart gets the *names* of the Secrets the kit creates (``kit_secrets.py``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..config.base import Resources
from ..config.model import StackConfig
from ..config.registry import AIRFLOW_SERVICES, CELERY_WORKERS, PGBOUNCER, Component
from ..config.tiers import deep_merge
from ..naming.kubernetes import Names, connection_env_name
from ..tuning.drain import derive_drain
from ..tuning.model import Tuning
from .aws_connection import aws_connection_env
from .dags import DAGS_GIT_CONN_ID, dags_values
from .database_access import database_access_values
from .drain import TASK_POD_PRE_STOP, drain_pod_values
from .events import event_queue_env
from .files import load_values, values_files
from .ingress import ingress_values
from .integrations import IntegrationChartInputs
from .kit_secrets import ASYNC_CONNECTION, CONNECTION, KitSecrets, kit_secrets
from .metadata_retention import database_cleanup_values
from .monitoring.statsd_mappings import statsd_extra_mappings
from .pod_security import pod_security_values
from .refs import AwsRefs
from .rollout import rollout_annotations
from .worker_sets import queue_worker_sets

Values = dict[str, Any]

IRSA_ANNOTATION = "eks.amazonaws.com/role-arn"
ZONE = "topology.kubernetes.io/zone"
HOSTNAME = "kubernetes.io/hostname"


def compose_chart_values(
    cfg: StackConfig,
    names: Names,
    tuning: Tuning,
    refs: AwsRefs | None,
    airflow_config: Mapping[str, Mapping[str, Any]],
    integration_inputs: IntegrationChartInputs,
    secret_checksums: Mapping[str, str] | None = None,
) -> Values:
    """``refs``: the AWS data plane's references, None in the local tier (no AWS).
    ``secret_checksums``: group → checksum of the kit Secrets its pods read (``rollout.py``)."""
    secrets = kit_secrets(cfg, names)
    values = load_values(values_files(cfg))
    for part in (
        _release(cfg, airflow_config),
        _keys_and_connections(secrets, names),
        _airflow_components(cfg, names, refs),
        _pgbouncer(cfg, names, tuning, secrets),
        _celery_workers(cfg, names, tuning, refs) if cfg.uses_celery else {},
        _kubernetes_executor(cfg, names, refs) if cfg.uses_kubernetes_executor else {},
        _local_executor(refs) if cfg.uses_local_executor else {},
        _network_policies(cfg, names),
        database_cleanup_values(cfg, names, refs),
        ingress_values(cfg, names),
        dags_values(cfg, secrets),
        pod_security_values(cfg, values.get("securityContexts", {}).get("containers", {})),
        _environment(refs, secrets, integration_inputs, git_bundle=cfg.dags.source == "git-bundle"),
        rollout_annotations(secret_checksums or {}),
        {"statsd": {"extraMappings": statsd_extra_mappings()}},
    ):
        values = deep_merge(values, part)
    pods_group = refs.pod_security_group if refs is not None else None
    return deep_merge(values, database_access_values(cfg, names, values, pods_group))


def _release(cfg: StackConfig, airflow_config: Mapping[str, Mapping[str, Any]]) -> Values:
    image = cfg.airflow.image
    return {
        "executor": cfg.executor,
        "airflowVersion": cfg.airflow.version,
        "images": {"airflow": {"repository": image.repository, "tag": cfg.image_tag, "pullPolicy": image.pull_policy}},
        "imagePullSecrets": [{"name": secret} for secret in image.pull_secrets],
        "config": {
            section: {key: _config_string(value) for key, value in options.items()}
            for section, options in airflow_config.items()
        },
    }


def _config_string(value: Any) -> str:
    """The chart templates ``config`` values as strings (its NOTES call string functions on
    some), and Airflow reads booleans as ``True``/``False``."""
    if isinstance(value, bool):
        return "True" if value else "False"
    return str(value)


def _keys_and_connections(secrets: KitSecrets, names: Names) -> Values:
    data: Values = {"metadataSecretName": secrets.metadata}
    values: Values = {
        "fernetKeySecretName": secrets.fernet_key,
        "apiSecretKeySecretName": secrets.api_secret_key,
        "jwtSecretName": secrets.jwt_secret,
        "data": data,
    }
    if secrets.celery is not None:
        data["brokerUrlSecretName"] = secrets.celery.broker_url
        data["resultBackendSecretName"] = secrets.celery.result_backend
    else:
        # Without a name the chart renders a pre-install hook Secret `<release>-broker-url` holding
        # `%!s(<nil>)`, whatever the executor. Only Celery pods read it, and without Celery none runs.
        data["brokerUrlSecretName"] = names.secret("broker-url")
    if secrets.local is not None and secrets.local.redis_password is not None:
        # The chart's in-cluster Redis (local tier), its password from the kit's Secret.
        values["redis"] = {"enabled": True, "passwordSecretName": secrets.local.redis_password}
    return values


def _resources(resources: Resources) -> Values:
    return resources.model_dump(by_alias=True, exclude_none=True)


def _service_account(component: Component, names: Names, refs: AwsRefs | None) -> Values:
    account: Values = {"create": True, "name": names.service_account(component)}
    role_arn = refs.role_arns.get(component.chart_key) if refs is not None else None
    if role_arn:
        account["annotations"] = {IRSA_ANNOTATION: role_arn}
    return account


def _placement(cfg: StackConfig, names: Names, component: Component) -> Values:
    """Spread a component's pods across zones, and prefer different nodes.

    Prod refuses to schedule a pod that would unbalance the zones; the other AWS tiers only
    prefer balance. A laptop cluster has one node and one zone: nothing to spread.
    """
    if not cfg.on_aws:
        return {}
    selector = {"matchLabels": {"tier": "airflow", "component": component.label, "release": names.release}}
    return {
        "topologySpreadConstraints": [
            {
                "maxSkew": 1,
                "topologyKey": ZONE,
                "whenUnsatisfiable": "DoNotSchedule" if cfg.tier == "prod" else "ScheduleAnyway",
                "labelSelector": selector,
            }
        ],
        "affinity": {
            "podAntiAffinity": {
                "preferredDuringSchedulingIgnoredDuringExecution": [
                    {"weight": 100, "podAffinityTerm": {"labelSelector": selector, "topologyKey": HOSTNAME}}
                ]
            }
        },
    }


def _airflow_components(cfg: StackConfig, names: Names, refs: AwsRefs | None) -> Values:
    return {
        service.chart_key: {
            "replicas": service.spec(cfg).replicas,
            "resources": _resources(service.resources(cfg)),
            "serviceAccount": _service_account(service, names, refs),
            **_placement(cfg, names, service),
        }
        for service in AIRFLOW_SERVICES
    }


def _pgbouncer(cfg: StackConfig, names: Names, tuning: Tuning, secrets: KitSecrets) -> Values:
    pools = tuning.pgbouncer
    if pools is None or secrets.pgbouncer is None:
        return {"pgbouncer": {"enabled": False}}
    sizes = {
        "maxClientConn": pools.max_client_conn,
        "metadataPoolSize": pools.metadata_pool_size,
        "resultBackendPoolSize": pools.result_backend_pool_size,
    }
    return {
        "pgbouncer": {
            "enabled": True,
            "replicas": cfg.pgbouncer.replicas,
            "resources": _resources(cfg.pgbouncer.resources),
            # The kit renders pgbouncer.ini itself (it must reach RDS with TLS) with these same
            # sizes; the chart's copies keep `helm get values` truthful.
            **{key: size for key, size in sizes.items() if size is not None},
            "configSecretName": secrets.pgbouncer.config,
            "metricsExporterSidecar": {"statsSecretName": secrets.pgbouncer.stats, "statsSecretKey": CONNECTION},
            **_placement(cfg, names, PGBOUNCER),
        }
    }


def _celery_workers(cfg: StackConfig, names: Names, tuning: Tuning, refs: AwsRefs | None) -> Values:
    workers = cfg.celery.workers
    celery: Values = {
        "resources": _resources(workers.resources),
        "serviceAccount": _service_account(CELERY_WORKERS, names, refs),
        # With task logs in S3 (the AWS tiers) a worker keeps nothing worth a volume: a Deployment, no PVC.
        "persistence": {"enabled": refs is None},
        "keda": {"enabled": workers.keda},
        **_placement(cfg, names, CELERY_WORKERS),
        **drain_pod_values(cfg),
        "sets": queue_worker_sets(cfg, tuning),
    }
    if workers.keda:
        celery["keda"] |= {
            "minReplicaCount": tuning.min_celery_workers,
            "maxReplicaCount": tuning.max_celery_workers,
            "cooldownPeriod": derive_drain(cfg).keda_cooldown_period_seconds,
        }
    else:
        # Without an autoscaler, run the count the peak needs.
        celery["replicas"] = tuning.max_celery_workers
    return {"workers": {"celery": celery}}


def _kubernetes_executor(cfg: StackConfig, names: Names, refs: AwsRefs | None) -> Values:
    executor = cfg.kubernetes_executor
    # With Celery too, task pods share the Celery workers' service account (created once, for
    # the celery part); alone, the pod template's own service account is created with that name.
    kubernetes: Values = {
        "resources": _resources(cfg.workload.task_resources),
        "nodeSelector": dict(executor.node_selector),
        "tolerations": [toleration.model_dump(by_alias=True, exclude_none=True) for toleration in executor.tolerations],
        "serviceAccount": {"create": False, "name": names.service_account(CELERY_WORKERS)}
        if cfg.uses_celery
        else _service_account(CELERY_WORKERS, names, refs),
        **drain_pod_values(cfg),
        "containerLifecycleHooks": {"preStop": TASK_POD_PRE_STOP},
    }
    return {"workers": {"kubernetes": kubernetes}}


def _local_executor(refs: AwsRefs | None) -> Values:
    """The chart makes the schedulers a StatefulSet with a logs volume when the workers' persistence
    is on; with task logs in S3 (the AWS tiers) they stay a Deployment."""
    return {"workers": {"celery": {"persistence": {"enabled": refs is None}}}}


def _network_policies(cfg: StackConfig, names: Names) -> Values:
    """The chart's policies, plus the two peers its api-server policy would otherwise deny:
    the release's own pods (workers and task pods call the Execution API) and the ingress controller."""
    if not cfg.kubernetes.network_policies:
        return {"networkPolicies": {"enabled": False}}
    peers: list[Values] = [{"podSelector": {"matchLabels": {"tier": "airflow", "release": names.release}}}]
    ingress = cfg.kubernetes.ingress
    if ingress.enabled:
        peers.append(_namespace_peer(ingress.controller_namespace))
        peers += [{"ipBlock": {"cidr": cidr}} for cidr in ingress.source_cidrs]
    values: Values = {
        "networkPolicies": {"enabled": True},
        "apiServer": {"networkPolicy": {"ingress": {"from": peers}}},
    }
    if cfg.kubernetes.monitoring_namespace:
        # The chart's PgBouncer and StatsD policies admit only Airflow's own pods otherwise.
        scraper = [_namespace_peer(cfg.kubernetes.monitoring_namespace)]
        values |= {"pgbouncer": {"extraNetworkPolicies": scraper}, "statsd": {"extraNetworkPolicies": scraper}}
    return values


def _namespace_peer(namespace: str) -> Values:
    return {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": namespace}}}


def _environment(
    refs: AwsRefs | None, secrets: KitSecrets, integration_inputs: IntegrationChartInputs, *, git_bundle: bool
) -> Values:
    env = list(integration_inputs.env)
    if refs is not None:
        env.append(aws_connection_env(refs))
    env += event_queue_env(refs)
    secret_env = [
        {
            "envName": "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_ASYNC",
            "secretName": secrets.metadata,
            "secretKey": ASYNC_CONNECTION,
        },
        *integration_inputs.secret_env,
    ]
    if git_bundle and secrets.dags_git:
        secret_env.append(
            {"envName": connection_env_name(DAGS_GIT_CONN_ID), "secretName": secrets.dags_git, "secretKey": CONNECTION}
        )
    values: Values = {"env": env, "secret": secret_env}
    if integration_inputs.airflow_local_settings is not None:
        values["airflowLocalSettings"] = integration_inputs.airflow_local_settings
    return values
