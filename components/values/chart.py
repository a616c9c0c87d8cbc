"""The values of the official Apache Airflow Helm chart for one stack (pure).

The static part comes from ``charts-values/`` (base, executor mode, tier overlay; see
``files.py``); the computed part comes from the typed stack config, the derived tuning and the
resolved infrastructure references, and is merged on top. Credentials never appear here: the
chart gets the *names* of the Secrets the kit creates (``kit_secrets.py``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..config.model import ComponentSpec, Resources, StackConfig
from ..config.tiers import deep_merge
from ..integrations.chart_inputs import IntegrationChartInputs
from ..naming import Names, connection_env_name
from ..tuning.settings import Tuning
from .aws_connection import aws_connection_env
from .dags import DAGS_GIT_CONN_ID, dags_values
from .files import load_values, values_files
from .kit_secrets import ASYNC_CONNECTION, CONNECTION, KitSecrets, kit_secrets
from .logging import remote_logs
from .refs import InfraRefs
from .rollout import rollout_annotations

Values = dict[str, Any]

IRSA_ANNOTATION = "eks.amazonaws.com/role-arn"
ZONE = "topology.kubernetes.io/zone"
HOSTNAME = "kubernetes.io/hostname"

# Chart value key → the `component` label the chart puts on that component's pods.
COMPONENT_LABELS = {
    "scheduler": "scheduler",
    "apiServer": "api-server",
    "triggerer": "triggerer",
    "dagProcessor": "dag-processor",
    "pgbouncer": "pgbouncer",
    "workers": "worker",
}


def compose_chart_values(
    cfg: StackConfig,
    names: Names,
    tuning: Tuning,
    refs: InfraRefs,
    airflow_config: Mapping[str, Mapping[str, Any]],
    integration_inputs: IntegrationChartInputs,
    secret_checksums: Mapping[str, str] | None = None,
) -> Values:
    """``secret_checksums``: group → checksum of the kit Secrets its pods read (``rollout.py``)."""
    secrets = kit_secrets(cfg, names)
    values = load_values(values_files(cfg))
    for part in (
        _release(cfg, airflow_config),
        _keys_and_connections(cfg, secrets),
        _airflow_components(cfg, names, refs),
        _pgbouncer(cfg, names, tuning, secrets),
        _celery_workers(cfg, names, tuning, refs) if cfg.uses_celery else {},
        _kubernetes_executor(cfg, names, refs) if cfg.uses_kubernetes_executor else {},
        _network_policies(cfg, names),
        _ingress(cfg),
        dags_values(cfg, secrets),
        _environment(cfg, refs, secrets, integration_inputs),
        rollout_annotations(secret_checksums or {}),
    ):
        values = deep_merge(values, part)
    return values


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


def _keys_and_connections(cfg: StackConfig, secrets: KitSecrets) -> Values:
    data: Values = {"metadataSecretName": secrets.metadata}
    values: Values = {
        "fernetKeySecretName": secrets.fernet_key,
        "apiSecretKeySecretName": secrets.api_secret_key,
        "jwtSecretName": secrets.jwt_secret,
        "data": data,
    }
    if cfg.uses_celery:
        data["brokerUrlSecretName"] = secrets.broker_url
        data["resultBackendSecretName"] = secrets.result_backend
    if secrets.redis_password:
        # The chart's in-cluster Redis (local tier), its password from the kit's Secret.
        values["redis"] = {"enabled": True, "passwordSecretName": secrets.redis_password}
    return values


def _resources(resources: Resources) -> Values:
    return resources.model_dump(by_alias=True, exclude_none=True)


def _service_account(component: str, names: Names, refs: InfraRefs) -> Values:
    account: Values = {"create": True, "name": names.service_account(component)}
    role_arn = refs.role_arns.get(component)
    if role_arn:
        account["annotations"] = {IRSA_ANNOTATION: role_arn}
    return account


def _placement(cfg: StackConfig, names: Names, component: str) -> Values:
    """Spread a component's pods across zones, and prefer different nodes.

    Prod refuses to schedule a pod that would unbalance the zones; the other AWS tiers only
    prefer balance. A laptop cluster has one node and one zone: nothing to spread.
    """
    if not cfg.on_aws:
        return {}
    selector = {"matchLabels": {"tier": "airflow", "component": COMPONENT_LABELS[component], "release": names.release}}
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


def _airflow_components(cfg: StackConfig, names: Names, refs: InfraRefs) -> Values:
    specs: dict[str, ComponentSpec] = {
        "scheduler": cfg.scheduler,
        "apiServer": cfg.api_server,
        "triggerer": cfg.triggerer,
        "dagProcessor": cfg.dag_processor,
    }
    return {
        component: {
            "replicas": spec.replicas,
            "resources": _resources(spec.resources),
            "serviceAccount": _service_account(component, names, refs),
            **_placement(cfg, names, component),
        }
        for component, spec in specs.items()
    }


def _pgbouncer(cfg: StackConfig, names: Names, tuning: Tuning, secrets: KitSecrets) -> Values:
    if not cfg.pgbouncer.enabled:
        return {"pgbouncer": {"enabled": False}}
    pools = {
        "maxClientConn": tuning.pgbouncer_max_client_conn,
        "metadataPoolSize": tuning.pgbouncer_metadata_pool_size,
        "resultBackendPoolSize": tuning.pgbouncer_result_backend_pool_size,
    }
    return {
        "pgbouncer": {
            "enabled": True,
            "replicas": cfg.pgbouncer.replicas,
            "resources": _resources(cfg.pgbouncer.resources),
            # The kit renders pgbouncer.ini itself (it must reach RDS with TLS) with these same
            # sizes; the chart's copies keep `helm get values` truthful.
            **{key: size for key, size in pools.items() if size is not None},
            "configSecretName": secrets.pgbouncer_config,
            "metricsExporterSidecar": {"statsSecretName": secrets.pgbouncer_stats, "statsSecretKey": CONNECTION},
            **_placement(cfg, names, "pgbouncer"),
        }
    }


def _celery_workers(cfg: StackConfig, names: Names, tuning: Tuning, refs: InfraRefs) -> Values:
    workers = cfg.celery.workers
    celery: Values = {
        "resources": _resources(workers.resources),
        "serviceAccount": _service_account("workers", names, refs),
        # With task logs in S3 a worker keeps nothing worth a volume: a Deployment, no PVC.
        "persistence": {"enabled": not remote_logs(cfg)},
        "keda": {"enabled": workers.keda},
        **_placement(cfg, names, "workers"),
    }
    if workers.keda:
        celery["keda"] |= {"minReplicaCount": tuning.keda_min_replicas, "maxReplicaCount": tuning.keda_max_replicas}
    else:
        # Without an autoscaler, run the count the peak needs.
        celery["replicas"] = tuning.keda_max_replicas
    return {"workers": {"celery": celery}}


def _kubernetes_executor(cfg: StackConfig, names: Names, refs: InfraRefs) -> Values:
    executor = cfg.kubernetes_executor
    # With Celery too, task pods share the Celery workers' service account (created once, for
    # the celery part); alone, the pod template's own service account is created with that name.
    kubernetes: Values = {
        "resources": _resources(cfg.workload.task_resources),
        "nodeSelector": dict(executor.node_selector),
        "tolerations": [toleration.model_dump(by_alias=True, exclude_none=True) for toleration in executor.tolerations],
        "serviceAccount": {"create": False, "name": names.service_account("workers")}
        if cfg.uses_celery
        else _service_account("workers", names, refs),
    }
    return {"workers": {"kubernetes": kubernetes}}


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


def _ingress(cfg: StackConfig) -> Values:
    ingress = cfg.kubernetes.ingress
    if not ingress.enabled:
        return {}
    api_server: Values = {"enabled": True, "ingressClassName": ingress.class_name}
    if ingress.host:
        api_server["hosts"] = [{"name": ingress.host}]
    return {"ingress": {"apiServer": api_server}}


def _environment(
    cfg: StackConfig, refs: InfraRefs, secrets: KitSecrets, integration_inputs: IntegrationChartInputs
) -> Values:
    env = list(integration_inputs.env)
    if cfg.on_aws:
        env.append(aws_connection_env(refs))
    secret_env = [
        {
            "envName": "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_ASYNC",
            "secretName": secrets.metadata,
            "secretKey": ASYNC_CONNECTION,
        },
        *integration_inputs.secret_env,
    ]
    if cfg.dags.source == "git-bundle" and secrets.dags_git:
        secret_env.append(
            {"envName": connection_env_name(DAGS_GIT_CONN_ID), "secretName": secrets.dags_git, "secretKey": CONNECTION}
        )
    values: Values = {"env": env, "secret": secret_env}
    if integration_inputs.airflow_local_settings is not None:
        values["airflowLocalSettings"] = integration_inputs.airflow_local_settings
    return values
