"""Kubernetes names that two layers must agree on: service accounts (IRSA trust ↔ chart), Secret
names (the kit creates them ↔ the chart reads them). Pure, so both sides and the tests share it.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..config.registry import Component

# Kubernetes object names that are DNS labels (Jobs, Services) hold at most this many characters.
DNS_LABEL_MAX = 63
# The hash that tells two versions of one Job apart (values/jobs.py).
JOB_HASH_LENGTH = 6
# The kit's one-shot Jobs, by purpose.
MIGRATION_JOB = "migrate"
ADMIN_JOB = "create-admin"  # local tier only


def versioned_job_name(release: str, purpose: str, airflow_version: str, digest: str) -> str:
    """``<release>-<purpose>-<version with dashes>-<hash>``: a new Job for each new thing it applies."""
    return f"{release}-{purpose}-{airflow_version.replace('.', '-')}-{digest[:JOB_HASH_LENGTH]}"


def worker_set_name(release: str, queue: str) -> str:
    """The chart's name for a worker set's Deployment and ScaledObject, also a label value on them."""
    return f"{release}-worker-{queue}"


def connection_env_name(conn_id: str) -> str:
    """The environment variable that defines an Airflow connection: ``AIRFLOW_CONN_<ID>``."""
    return f"AIRFLOW_CONN_{conn_id.upper()}"


@dataclass(frozen=True)
class Names:
    release: str
    namespace: str

    def service_account(self, component: Component) -> str:
        """Service account of a chart component, pinned by the kit: ``<release>-<component label>``."""
        return f"{self.release}-{component.label}"

    def secret(self, purpose: str) -> str:
        """Kubernetes Secret the kit creates for the chart, e.g. ``secret("fernet-key")``."""
        return f"{self.release}-{purpose}"

    def config_map(self, purpose: str) -> str:
        """ConfigMap the kit creates for the release's pods, e.g. ``config_map("rds-ca")``."""
        return f"{self.release}-{purpose}"

    @property
    def pgbouncer_host(self) -> str:
        return f"{self.release}-pgbouncer.{self.namespace}.svc.cluster.local"
