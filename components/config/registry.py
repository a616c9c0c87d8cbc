"""The one registry of the chart's components the kit configures.

Every list of components (the prod floors, the chart values, service accounts and IRSA roles,
the plan's replica summary, the tests) is read from here, so adding a component is one entry.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .base import ComponentSpec, Resources
from .model import StackConfig


@dataclass(frozen=True)
class Component:
    """A component of the chart, with the name each system knows it by."""

    chart_key: str  # key in the chart values: `scheduler`, `apiServer`, ..., `workers`
    config_key: str  # its section in the stack file: `scheduler`, ..., `celery.workers`
    label: str  # the chart's `component` pod label, and the suffix of the kit's service account
    section: str  # the StackConfig attribute of its top-level section (what a rule `needs`)
    resources: Callable[[StackConfig], Resources]

    def resources_key(self) -> str:
        return f"{self.config_key}.resources"


@dataclass(frozen=True)
class AirflowService(Component):
    """A long-running Airflow component with its own replica count: redundant in every HA tier."""

    spec: Callable[[StackConfig], ComponentSpec]


SCHEDULER = AirflowService(
    chart_key="scheduler",
    config_key="scheduler",
    label="scheduler",
    section="scheduler",
    resources=lambda cfg: cfg.scheduler.resources,
    spec=lambda cfg: cfg.scheduler,
)
API_SERVER = AirflowService(
    chart_key="apiServer",
    config_key="apiServer",
    label="api-server",
    section="api_server",
    resources=lambda cfg: cfg.api_server.resources,
    spec=lambda cfg: cfg.api_server,
)
TRIGGERER = AirflowService(
    chart_key="triggerer",
    config_key="triggerer",
    label="triggerer",
    section="triggerer",
    resources=lambda cfg: cfg.triggerer.resources,
    spec=lambda cfg: cfg.triggerer,
)
DAG_PROCESSOR = AirflowService(
    chart_key="dagProcessor",
    config_key="dagProcessor",
    label="dag-processor",
    section="dag_processor",
    resources=lambda cfg: cfg.dag_processor.resources,
    spec=lambda cfg: cfg.dag_processor,
)
PGBOUNCER = Component(
    chart_key="pgbouncer",
    config_key="pgbouncer",
    label="pgbouncer",
    section="pgbouncer",
    resources=lambda cfg: cfg.pgbouncer.resources,
)
CELERY_WORKERS = Component(
    chart_key="workers",
    config_key="celery.workers",
    label="worker",
    section="celery",
    resources=lambda cfg: cfg.celery.workers.resources,
)

# The four services every tier runs, with replicas from config (at least 2 each in prod).
AIRFLOW_SERVICES: tuple[AirflowService, ...] = (SCHEDULER, API_SERVER, TRIGGERER, DAG_PROCESSOR)
# Components whose pods the kit sizes from a `resources` section.
SIZED_COMPONENTS: tuple[Component, ...] = (*AIRFLOW_SERVICES, PGBOUNCER, CELERY_WORKERS)
# Components with a service account the kit names: each gets an IRSA role and reads the secrets
# backend. KubernetesExecutor task pods use the workers' account.
SERVICE_ACCOUNT_COMPONENTS: tuple[Component, ...] = (*AIRFLOW_SERVICES, CELERY_WORKERS)
