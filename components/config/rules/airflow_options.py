"""`airflow.config` may add Airflow options, but not the ones the kit derives or owns."""

from __future__ import annotations

from collections.abc import Iterator

from ..errors import Problem
from ..model import StackConfig
from ..rule import rule

# Airflow options the kit derives or owns, with the stack key that controls each. Setting them
# through `airflow.config` would bypass the capacity checks or break what the kit wires.
KIT_MANAGED_OPTIONS: dict[tuple[str, str], str] = {
    ("core", "executor"): "use the key 'executor'",
    ("core", "parallelism"): "use tuning.parallelism",
    ("core", "max_active_tasks_per_dag"): "use workload.maxActiveTasksPerDag",
    ("core", "max_active_runs_per_dag"): "use workload.maxActiveRunsPerDag",
    ("core", "default_pool_task_slot_count"): "use tuning.defaultPoolTaskSlotCount",
    ("core", "fernet_key"): "the kit generates it once per stack; rotate it with airflow.fernetKeyGeneration",
    ("core", "default_task_retries"): "use recovery.defaultTaskRetries",
    ("core", "default_task_retry_delay"): "use recovery.defaultRetryDelaySeconds",
    ("scheduler", "task_instance_heartbeat_timeout"): "use recovery.taskHeartbeatTimeoutSeconds",
    ("celery", "task_publish_max_retries"): "use recovery.brokerOutageToleranceSeconds",
    ("celery", "operation_timeout"): "the publish retries are counted in it (recovery.brokerOutageToleranceSeconds)",
    ("celery", "worker_concurrency"): "use celery.workers.concurrency",
    ("celery_broker_transport_options", "visibility_timeout"): "derived from workload.longestTaskSeconds",
    ("celery", "task_acks_late"): "the graceful drain needs it (workload.longestTaskSeconds)",
    ("celery", "worker_prefetch_multiplier"): "the graceful drain needs it (workload.longestTaskSeconds)",
    ("kubernetes_executor", "worker_pods_creation_batch_size"): "use kubernetesExecutor.workerPodsCreationBatchSize",
    ("dag_processor", "parsing_processes"): "use dagProcessor.parsingProcesses",
    ("database", "sql_alchemy_conn"): "the kit wires the metadata database",
    ("database", "sql_alchemy_pool_size"): "use tuning.sqlAlchemyPoolSize",
    ("database", "sql_alchemy_max_overflow"): "use tuning.sqlAlchemyMaxOverflow",
    ("api", "workers"): "use apiServer.workers",
    ("api", "secret_key"): "the kit generates it once per stack",
    ("api_auth", "jwt_secret"): "the kit generates it once per stack",
    ("triggerer", "capacity"): "use triggerer.capacity",
    ("operators", "default_deferrable"): "use triggerer.defaultDeferrable",
    ("core", "xcom_backend"): "use xcom.objectStorage.enabled",
    ("common.io", "xcom_objectstorage_path"): "use xcom.objectStorage.bucket and xcom.objectStorage.prefix",
    ("common.io", "xcom_objectstorage_threshold"): "use xcom.objectStorage.thresholdBytes",
    ("common.io", "xcom_objectstorage_compression"): "use xcom.objectStorage.compression",
    ("secrets", "backend"): "use secretsBackend.type",
    ("secrets", "backend_kwargs"): "use the secretsBackend and vault keys",
    ("openlineage", "transport"): "use openlineage.url and the secret openlineageApiKey",
    ("logging", "remote_base_log_folder"): "the kit points it at the stack's S3 bucket",
    ("kubernetes_executor", "worker_container_repository"): "use airflow.image.repository",
    ("kubernetes_executor", "worker_container_tag"): "use airflow.image.tag and airflow.image.digest",
}


@rule("airflow")
def airflow_config_leaves_kit_options_alone(cfg: StackConfig, _explicit: frozenset[str]) -> Iterator[Problem]:
    for section, options in cfg.airflow.config.items():
        for option in options:
            instead = KIT_MANAGED_OPTIONS.get((section, option))
            if instead:
                yield Problem(
                    f"airflow.config.{section}.{option}", f"is set by the kit, so the checks see it: {instead}"
                )
