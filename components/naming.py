"""Names that two layers must agree on: service accounts (IRSA trust ↔ chart), Secret names
(the kit creates them ↔ the chart reads them). Pure, so both sides and the tests share it.
"""

from __future__ import annotations

from dataclasses import dataclass

# The chart's components that get a service account the kit names explicitly, with the
# chart value key each one lives under.
SERVICE_ACCOUNT_COMPONENTS: dict[str, str] = {
    "scheduler": "scheduler",
    "apiServer": "api-server",
    "triggerer": "triggerer",
    "dagProcessor": "dag-processor",
    "workers": "worker",
}

# Every component with a pinned service account reads the secrets backend and has an IRSA role
# (the migration Job has neither).
AIRFLOW_COMPONENTS: tuple[str, ...] = tuple(SERVICE_ACCOUNT_COMPONENTS)


def connection_env_name(conn_id: str) -> str:
    """The environment variable that defines an Airflow connection: ``AIRFLOW_CONN_<ID>``."""
    return f"AIRFLOW_CONN_{conn_id.upper()}"


# Key prefix of task logs in the logs bucket: Airflow's `remote_base_log_folder` is
# `s3://<bucket>/<LOGS_PREFIX>`, and the IRSA policies grant exactly that prefix.
LOGS_PREFIX = "logs"


@dataclass(frozen=True)
class Names:
    release: str
    namespace: str

    def service_account(self, component: str) -> str:
        """Service account of a chart component (``scheduler``, ``workers``...), pinned by the kit."""
        return f"{self.release}-{SERVICE_ACCOUNT_COMPONENTS[component]}"

    def secret(self, purpose: str) -> str:
        """Kubernetes Secret the kit creates for the chart, e.g. ``secret("fernet-key")``."""
        return f"{self.release}-{purpose}"

    @property
    def pgbouncer_host(self) -> str:
        return f"{self.release}-pgbouncer.{self.namespace}.svc.cluster.local"
