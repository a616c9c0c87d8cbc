"""The Airflow services every stack runs, and PgBouncer in front of the metadata database."""

from __future__ import annotations

from pydantic import Field

from ..base import ComponentSpec, KitModel, PositiveInt, Resources


class SchedulerSection(ComponentSpec):
    pass


class ApiServerSection(ComponentSpec):
    workers: PositiveInt = Field(
        default=2, description="Uvicorn worker processes per api-server pod (`[api] workers`)."
    )


class TriggererSection(ComponentSpec):
    capacity: PositiveInt = Field(
        default=1000, description="Triggers one triggerer runs at once (`[triggerer] capacity`)."
    )
    default_deferrable: bool = Field(
        description="`[operators] default_deferrable`: operators and sensors that can defer (`S3KeySensor`, "
        "`TriggerDagRunOperator`...) wait on the triggerer instead of holding a worker slot. On in staging and prod."
    )


class DagProcessorSection(ComponentSpec):
    parsing_processes: PositiveInt | None = Field(
        default=None, description="`[dag_processor] parsing_processes`. Default: derived from the pod's CPU."
    )


class PgbouncerSection(KitModel):
    enabled: bool = Field(description="Pool metadata-DB connections through PgBouncer.")
    replicas: PositiveInt = Field(description="PgBouncer pods. The prod tier requires at least 2.")
    resources: Resources = Field(description="Requests and limits of each PgBouncer pod.")
    max_client_conn: PositiveInt | None = Field(
        default=None, description="PgBouncer `max_client_conn`. Default: derived."
    )
    metadata_pool_size: PositiveInt | None = Field(
        default=None, description="Server connections per PgBouncer pod for the metadata DB. Default: derived."
    )
    result_backend_pool_size: PositiveInt | None = Field(
        default=None,
        description="Server connections per PgBouncer pod for the Celery result backend. Default: derived.",
    )
