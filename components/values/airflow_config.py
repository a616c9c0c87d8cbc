"""The effective Airflow config the kit sets: ``{section: {key: value}}`` (pure).

Each concern contributes its own fragment (tuning, remote logging, integrations); they must
not disagree, so a key set twice with different values is a bug in the kit and raises. The
stack's own ``airflow.config`` goes on top: it is the operator's explicit word.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from ..config.model import StackConfig
from ..config.sections.airflow import AirflowConfig, AirflowOptions, ConfigScalar
from ..config.sections.ingress_tls import serves_https
from ..tuning.airflow_options import tuning_airflow_options
from ..tuning.model import Tuning
from .drain import drain_airflow_config
from .events import events_airflow_config
from .integrations import integration_specs, integrations_airflow_config
from .live_logs import live_logs_airflow_config
from .logging import logging_airflow_config
from .pod_security import pinned_task_image
from .recovery import recovery_airflow_config
from .refs import AwsRefs


def core_airflow_config(cfg: StackConfig) -> AirflowConfig:
    api: AirflowOptions = {"workers": cfg.api_server.workers}
    ingress = cfg.kubernetes.ingress
    if ingress.enabled and ingress.host:
        # Links Airflow builds (the log link in Slack alerts, OAuth redirects) use it.
        api["base_url"] = f"{'https' if serves_https(ingress.tls) else 'http'}://{ingress.host}"
    return {
        "core": {"executor": cfg.executor, "load_examples": False},
        "api": api,
        "triggerer": {"capacity": cfg.triggerer.capacity},
    }


def compose_airflow_config(cfg: StackConfig, tuning: Tuning, refs: AwsRefs | None) -> AirflowConfig:
    kit = merge_fragments(
        [
            core_airflow_config(cfg),
            tuning_airflow_options(tuning, cfg),
            logging_airflow_config(refs),
            events_airflow_config(cfg, refs),
            integrations_airflow_config(integration_specs(cfg)),
            {"kubernetes_executor": pinned_task_image(cfg)} if cfg.uses_kubernetes_executor else {},
            live_logs_airflow_config(),
            recovery_airflow_config(cfg),
            drain_airflow_config(cfg),
        ]
    )
    for section, options in cfg.airflow.config.items():
        kit.setdefault(section, {}).update(options)
    return kit


def merge_fragments(fragments: Iterable[Mapping[str, Mapping[str, ConfigScalar]]]) -> AirflowConfig:
    merged: AirflowConfig = {}
    for fragment in fragments:
        for section, options in fragment.items():
            target = merged.setdefault(section, {})
            for key, value in options.items():
                if key in target and target[key] != value:
                    raise ValueError(f"[{section}] {key} is set twice by the kit: {target[key]!r} and {value!r}")
                target[key] = value
    return merged
