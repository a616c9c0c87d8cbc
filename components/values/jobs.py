"""The kit's one-shot Jobs: the database migration and (local tier) the first admin user (pure).

Each Job is named after the Airflow version plus a short hash of what it applies (the image,
and for the migration the default pool's size), so a change creates a *new* Job instead of
patching an immutable one, and an unchanged stack keeps the same Job (nothing runs again).
"""

from __future__ import annotations

import hashlib
from typing import Any

from ..config.model import StackConfig
from ..naming.kubernetes import ADMIN_JOB, MIGRATION_JOB, Names, versioned_job_name
from .kit_secrets import CONNECTION, FERNET_KEY, KitSecrets, LocalTierSecrets

# The chart's default `[core] auth_manager`; `airflow db migrate` also migrates the tables of
# the configured auth manager, so the Job must configure the same one.
CHART_AUTH_MANAGER = "airflow.providers.fab.auth_manager.fab_auth_manager.FabAuthManager"
LOCAL_ADMIN_USER = "admin"
LOCAL_ADMIN_PASSWORD_KEY = "password"
# `airflow db migrate` is one Python process; its size is its own, so resizing the scheduler does
# not touch the Job.
JOB_RESOURCES = {"requests": {"cpu": "500m", "memory": "1Gi"}, "limits": {"cpu": "1", "memory": "2Gi"}}


def image_hash(cfg: StackConfig, *applied: object) -> str:
    identity = "|".join([cfg.image_reference, cfg.airflow.version, *map(str, applied)])
    return hashlib.sha256(identity.encode()).hexdigest()


def job_name(cfg: StackConfig, names: Names, purpose: str, *applied: object) -> str:
    """Within a DNS label by the naming rules (``naming/rules.py``), which check the longest purpose."""
    return versioned_job_name(names.release, purpose, cfg.airflow.version, image_hash(cfg, *applied))


def auth_manager(cfg: StackConfig) -> str:
    return str(cfg.airflow.config.get("core", {}).get("auth_manager", CHART_AUTH_MANAGER))


def _secret_env(name: str, secret: str, key: str) -> dict[str, Any]:
    return {"name": name, "valueFrom": {"secretKeyRef": {"name": secret, "key": key}}}


def _airflow_job(cfg: StackConfig, name: str, component: str, script: str, env: list[dict[str, Any]]) -> dict[str, Any]:
    image = cfg.airflow.image
    labels = {"tier": "airflow", "component": component}
    return {
        "metadata": {"name": name, "labels": labels, "annotations": {"pulumi.com/replaceUnready": "true"}},
        "spec": {
            "backoffLimit": 3,
            "template": {
                "metadata": {"labels": labels},
                "spec": {
                    "restartPolicy": "OnFailure",
                    "automountServiceAccountToken": False,
                    "imagePullSecrets": [{"name": secret} for secret in image.pull_secrets],
                    "securityContext": {
                        "runAsNonRoot": True,
                        "runAsUser": 50000,
                        "runAsGroup": 0,
                        "fsGroup": 0,
                        "seccompProfile": {"type": "RuntimeDefault"},
                    },
                    "containers": [
                        {
                            "name": component,
                            "image": cfg.image_reference,
                            "imagePullPolicy": image.pull_policy,
                            "args": ["bash", "-c", script],
                            "env": env,
                            "resources": JOB_RESOURCES,
                            "securityContext": {
                                "runAsNonRoot": True,
                                "allowPrivilegeEscalation": False,
                                "readOnlyRootFilesystem": True,
                                "capabilities": {"drop": ["ALL"]},
                            },
                            "volumeMounts": [{"name": "tmp", "mountPath": "/tmp"}],
                        }
                    ],
                    "volumes": [{"name": "tmp", "emptyDir": {}}],
                },
            },
        },
    }


def _database_env(cfg: StackConfig, secrets: KitSecrets) -> list[dict[str, Any]]:
    return [
        _secret_env("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", secrets.migration, CONNECTION),
        _secret_env("AIRFLOW__CORE__FERNET_KEY", secrets.fernet_key, FERNET_KEY),
        {"name": "AIRFLOW__CORE__AUTH_MANAGER", "value": auth_manager(cfg)},
        {"name": "AIRFLOW__CORE__LOAD_EXAMPLES", "value": "False"},
    ]


def migration_job(cfg: StackConfig, names: Names, secrets: KitSecrets, default_pool_slots: int) -> dict[str, Any]:
    """``airflow db migrate`` with the target image, straight against the database (not PgBouncer:
    PgBouncer belongs to the release this Job must precede).

    Airflow reads ``[core] default_pool_task_slot_count`` only when the first migration creates
    ``default_pool``; afterwards the pool keeps its size. So the Job also sets the pool to the
    derived size, and a new size is a new Job (the migration itself is then a no-op).
    """
    script = f'airflow db migrate && exec airflow pools set default_pool {default_pool_slots} "Default pool"'
    return _airflow_job(
        cfg,
        job_name(cfg, names, MIGRATION_JOB, f"default_pool={default_pool_slots}"),
        "run-airflow-migrations",
        script,
        _database_env(cfg, secrets),
    )


def local_admin_job(cfg: StackConfig, names: Names, secrets: KitSecrets, local: LocalTierSecrets) -> dict[str, Any]:
    """Local tier only: an Admin user whose password is a kit-generated Secret (never admin/admin).
    ``airflow users create`` leaves an existing user alone, so a re-run is harmless."""
    script = (
        f"exec airflow users create --role Admin --username {LOCAL_ADMIN_USER} "
        '--email admin@localhost --firstname Local --lastname Admin --password "$ADMIN_PASSWORD"'
    )
    env = [*_database_env(cfg, secrets), _secret_env("ADMIN_PASSWORD", local.admin, LOCAL_ADMIN_PASSWORD_KEY)]
    return _airflow_job(cfg, job_name(cfg, names, ADMIN_JOB), "create-user", script, env)
