"""The executors a stack may run, and the reasons for the ones it may not."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator

CELERY = "CeleryExecutor"
KUBERNETES = "KubernetesExecutor"
# Tasks run as processes of the scheduler pods: for the local and dev tiers only (rules/executor_tiers.py).
LOCAL = "LocalExecutor"
EXECUTORS: tuple[str, ...] = (CELERY, KUBERNETES, f"{CELERY},{KUBERNETES}", LOCAL)

# Executors people ask for that Airflow 3 does not offer (or that do not fit a kit for HA
# deployments), with the reason given back to them.
_REJECTED_EXECUTORS = {
    "DaskExecutor": "Airflow 3 has no maintained Dask executor (the Dask provider was removed)",
    "SequentialExecutor": "Airflow 3 removed the SequentialExecutor",
    "CeleryKubernetesExecutor": "Airflow 3 replaced CeleryKubernetesExecutor with the multi-executor form",
    "LocalKubernetesExecutor": "Airflow 3 replaced LocalKubernetesExecutor with the multi-executor form",
}


def _executor(value: Any) -> str:
    names = [part.strip() for part in str(value).split(",") if part.strip()]
    normalised = ",".join(names)
    if normalised in EXECUTORS:
        return normalised
    allowed = ", ".join(f"'{e}'" for e in EXECUTORS)
    for name in names:
        if name in _REJECTED_EXECUTORS:
            raise ValueError(f"'{name}' is not supported: {_REJECTED_EXECUTORS[name]}. Use one of {allowed}")
    raise ValueError(f"'{value}' is not a supported executor. Use one of {allowed}")


Executor = Annotated[str, BeforeValidator(_executor)]
