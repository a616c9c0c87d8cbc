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
from .database_access import DatabaseAccess, database_access, role_bootstrap_identity, role_bootstrap_script
from .kit_secrets import (
    APPLICATION_PASSWORD,
    CONNECTION,
    FERNET_KEY,
    KEDA_PASSWORD,
    MASTER_CONNECTION,
    KitSecrets,
    LocalTierSecrets,
)

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


def _airflow_job(
    cfg: StackConfig,
    name: str,
    component: str,
    script: str,
    env: list[dict[str, Any]],
    access: DatabaseAccess | None = None,
) -> dict[str, Any]:
    image = cfg.airflow.image
    volumes: list[dict[str, Any]] = [{"name": "tmp", "emptyDir": {}}]
    mounts: list[dict[str, Any]] = [{"name": "tmp", "mountPath": "/tmp"}]
    if access is not None and access.ca_volume is not None and access.ca_mount is not None:
        volumes.append(access.ca_volume)
        mounts.append(access.ca_mount)
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
                            "volumeMounts": mounts,
                        }
                    ],
                    "volumes": volumes,
                },
            },
        },
    }


def _database_env(cfg: StackConfig, secrets: KitSecrets, access: DatabaseAccess | None = None) -> list[dict[str, Any]]:
    env = [
        _secret_env("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", secrets.migration, CONNECTION),
        _secret_env("AIRFLOW__CORE__FERNET_KEY", secrets.fernet_key, FERNET_KEY),
        {"name": "AIRFLOW__CORE__AUTH_MANAGER", "value": auth_manager(cfg)},
        {"name": "AIRFLOW__CORE__LOAD_EXAMPLES", "value": "False"},
    ]
    if access is not None and access.ca_env is not None:
        env.append(access.ca_env)
    return env


def _role_bootstrap_env(access: DatabaseAccess, secrets: KitSecrets) -> list[dict[str, Any]]:
    """What ``charts-values/bootstrap_database_roles.py`` reads; the passwords only as Secret references."""
    roles = access.roles
    if roles is None:
        return []
    return [
        {"name": "KIT_ROLE_BOOTSTRAP", "value": role_bootstrap_script()},
        _secret_env("KIT_MASTER_CONNECTION", secrets.migration, MASTER_CONNECTION),
        {"name": "KIT_DATABASE_APPLICATION_ROLE", "value": roles.application},
        _secret_env("KIT_DATABASE_APPLICATION_PASSWORD", secrets.migration, APPLICATION_PASSWORD),
        {"name": "KIT_DATABASE_KEDA_ROLE", "value": roles.keda},
        _secret_env("KIT_DATABASE_KEDA_PASSWORD", secrets.migration, KEDA_PASSWORD),
    ]


def migration_script(default_pool_slots: int, roles: bool) -> str:
    """With roles: create them as the master user, migrate as the application role (so it owns what
    the migration creates), then let KEDA read ``task_instance``."""
    steps = ["airflow db migrate"]
    if roles:
        steps = ['python -c "$KIT_ROLE_BOOTSTRAP" roles', *steps, 'python -c "$KIT_ROLE_BOOTSTRAP" grants']
    return " && ".join([*steps, f'exec airflow pools set default_pool {default_pool_slots} "Default pool"'])


def migration_job(cfg: StackConfig, names: Names, secrets: KitSecrets, default_pool_slots: int) -> dict[str, Any]:
    """``airflow db migrate`` with the target image, straight against the database (not PgBouncer:
    PgBouncer belongs to the release this Job must precede).

    Airflow reads ``[core] default_pool_task_slot_count`` only when the first migration creates
    ``default_pool``; afterwards the pool keeps its size. So the Job also sets the pool to the
    derived size, and a new size is a new Job (the migration itself is then a no-op).
    """
    access = database_access(cfg, names)
    roles = access.roles if access is not None else None
    applied = [f"default_pool={default_pool_slots}"]
    if roles is not None:
        applied.append(f"roles={role_bootstrap_identity(roles)}")
    if access is not None and access.ca_config_map is not None:
        # A Job is immutable: mounting the CA bundle is a new Job (the migration is then a no-op).
        applied.append(f"sslmode={access.sslmode}")
    env = _database_env(cfg, secrets, access)
    if access is not None:
        env += _role_bootstrap_env(access, secrets)
    return _airflow_job(
        cfg,
        job_name(cfg, names, MIGRATION_JOB, *applied),
        "run-airflow-migrations",
        migration_script(default_pool_slots, roles is not None),
        env,
        access,
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
