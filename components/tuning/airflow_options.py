"""The tuning's share of the Airflow config, under Airflow's own section and option names (pure).

PgBouncer pools and KEDA bounds are chart values, not Airflow options; the chart composer
reads them from ``Tuning`` directly.
"""

from __future__ import annotations

from ..config.model import StackConfig
from .model import Tuning


def tuning_airflow_options(tuning: Tuning, cfg: StackConfig) -> dict[str, dict[str, int]]:
    config: dict[str, dict[str, int]] = {
        "core": {
            "parallelism": tuning.parallelism,
            "max_active_tasks_per_dag": tuning.max_active_tasks_per_dag,
            "max_active_runs_per_dag": tuning.max_active_runs_per_dag,
            "default_pool_task_slot_count": tuning.default_pool_task_slot_count,
        },
        "dag_processor": {"parsing_processes": tuning.parsing_processes},
        "database": {
            "sql_alchemy_pool_size": tuning.sql_alchemy_pool_size,
            "sql_alchemy_max_overflow": tuning.sql_alchemy_max_overflow,
        },
    }
    if cfg.uses_celery and tuning.worker_concurrency is not None:
        config["celery"] = {"worker_concurrency": tuning.worker_concurrency}
    if cfg.uses_kubernetes_executor and tuning.worker_pods_creation_batch_size is not None:
        config["kubernetes_executor"] = {"worker_pods_creation_batch_size": tuning.worker_pods_creation_batch_size}
    return config
