"""Airflow itself: stable keys, connection Secrets, the migration Job and the Helm release.

Upgrades that cannot deadlock: the chart's migration and user hooks are off. The kit runs
``airflow db migrate`` in its own Job, named after the Airflow version and image
(``job_specs.py``), and the Helm release depends on it. Pulumi waits for a Job to complete, so
on the first deploy and on every version change the database is migrated exactly once, by
the target image, before the release rolls out pods that need the new schema; an unchanged
version leaves the Job untouched. A new version is a new Job name, so no immutable Job is ever
patched. The chart's ``waitForMigrations`` init containers stay on as a guard.
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_kubernetes as kubernetes
import pulumi_random as random

from ..config.model import StackConfig
from ..integrations.chart_inputs import integration_chart_inputs
from ..naming import Names
from ..tuning.settings import Tuning
from ..values import database
from ..values.airflow_config import compose_airflow_config
from ..values.chart import compose_chart_values
from ..values.dags import GIT_USERNAME, git_connection_json
from ..values.database import DatabaseEndpoint, PoolSizes
from ..values.kit_secrets import (
    API_SECRET_KEY,
    ASYNC_CONNECTION,
    CONNECTION,
    FERNET_KEY,
    GIT_SYNC_PASSWORD_KEYS,
    GIT_SYNC_USERNAME_KEYS,
    JWT_SECRET,
    PGBOUNCER_INI,
    PGBOUNCER_USERS,
    POSTGRES_PASSWORD,
    REDIS_PASSWORD,
    KitSecrets,
    kit_secrets,
)
from ..values.refs import InfraRefs
from ..values.rollout import ROLLOUT_GROUPS, content_checksum
from .cluster import ClusterAccess
from .fernet import fernet_key
from .job_specs import LOCAL_ADMIN_PASSWORD_KEY, local_admin_job, migration_job
from .local_database import LocalPostgres
from .secrets import kit_secret

CHART = "airflow"
RELEASE_TIMEOUT_SECONDS = 900
JOB_TIMEOUT = "30m"


class AirflowOnKubernetes(pulumi.ComponentResource):
    def __init__(
        self,
        name: str,
        cfg: StackConfig,
        names: Names,
        tuning: Tuning,
        cluster: ClusterAccess,
        data_plane: Any | None,
        integrations: Any,
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("airflow-ha:kubernetes:Airflow", name, None, opts)
        self._name = name
        self._namespace = cluster.namespace_name
        self._secret_data: dict[str, dict[str, pulumi.Input[str]]] = {}
        self._k8s = pulumi.ResourceOptions(parent=self, provider=cluster.provider, depends_on=[cluster.namespace])
        secrets = kit_secrets(cfg, names)

        created = self._stable_keys(secrets, protect=bool(cfg.database and cfg.database.protect))
        endpoint = self._database(cfg, names, data_plane, secrets, created)
        created += self._connections(cfg, names, tuning, endpoint, secrets)
        created += self._broker(cfg, names, data_plane, secrets)
        created += self._dags_credentials(cfg, secrets)

        migration = self._job(
            "migrate", migration_job(cfg, names, secrets, tuning.default_pool_task_slot_count), created
        )
        jobs = [migration]
        if secrets.local_admin:
            password = random.RandomPassword(
                f"{name}-admin-password-random", length=24, special=False, opts=pulumi.ResourceOptions(parent=self)
            )
            admin_secret = kit_secret(
                f"{name}-admin-password",
                secrets.local_admin,
                self._namespace,
                {LOCAL_ADMIN_PASSWORD_KEY: password.result},
                self._k8s,
            )
            jobs.append(
                self._job("create-admin", local_admin_job(cfg, names, secrets), [*created, admin_secret, migration])
            )

        refs = self._refs(data_plane)
        values = pulumi.Output.all(refs, self._secret_checksums()).apply(
            lambda resolved: compose_chart_values(
                cfg,
                names,
                tuning,
                resolved[0],
                compose_airflow_config(cfg, tuning, resolved[0]),
                integration_chart_inputs(cfg, names),
                secret_checksums=resolved[1],
            )
        )
        self.release = kubernetes.helm.v3.Release(
            f"{name}-release",
            name=names.release,
            namespace=self._namespace,
            chart=CHART,
            version=cfg.airflow.chart_version,
            repository_opts=kubernetes.helm.v3.RepositoryOptsArgs(repo=cfg.airflow.chart_repository),
            values=values,
            timeout=RELEASE_TIMEOUT_SECONDS,
            opts=pulumi.ResourceOptions.merge(
                self._k8s,
                pulumi.ResourceOptions(depends_on=[cluster.namespace, *created, *jobs, *integrations.dependencies]),
            ),
        )
        self.release_name: pulumi.Output[str] = self.release.name
        self.migration_job_name: pulumi.Output[str] = migration.metadata.apply(lambda metadata: metadata.name)
        self.register_outputs({"releaseName": self.release_name, "migrationJob": self.migration_job_name})

    # --- Secrets ---------------------------------------------------------------------------

    def _secret(
        self,
        purpose: str,
        secret_name: str,
        data: dict[str, pulumi.Input[str]],
        opts: pulumi.ResourceOptions | None = None,
    ) -> kubernetes.core.v1.Secret:
        self._secret_data[purpose] = data
        return kit_secret(
            f"{self._name}-{purpose}", secret_name, self._namespace, data, pulumi.ResourceOptions.merge(self._k8s, opts)
        )

    def _secret_checksums(self) -> pulumi.Output[dict[str, str]]:
        """Per pod group, a checksum of the Secrets its pods read at start-up (see values/rollout.py).
        A one-way hash of random credentials is not secret, so it is unwrapped: the chart values
        stay readable in the plan."""
        checksums: dict[str, pulumi.Output[str]] = {}
        for group, purposes in ROLLOUT_GROUPS.items():
            parts = [
                pulumi.Output.from_input(self._secret_data[purpose][key])
                for purpose in purposes
                if purpose in self._secret_data
                for key in sorted(self._secret_data[purpose])
            ]
            if parts:
                checksums[group] = pulumi.Output.unsecret(pulumi.Output.all(*parts).apply(content_checksum))
        return pulumi.Output.all(**checksums)

    def _stable_keys(self, secrets: KitSecrets, protect: bool) -> list[pulumi.Resource]:
        """Generated once per stack and never rotated (no keepers): every replica and every
        upgrade sees the same fernet key, API secret key and JWT secret. A JWT secret that
        changed on upgrade would fail running tasks with signature errors.

        The fernet key encrypts every connection password and variable in the database, so it
        is guarded like the database (``protect``): a retained database with a lost key is
        unreadable."""
        random_opts = pulumi.ResourceOptions(parent=self)
        guarded = pulumi.ResourceOptions(protect=protect, retain_on_delete=protect)
        # 32 random bytes, URL-safe base64 with its padding: exactly a Fernet key.
        fernet = random.RandomId(
            f"{self._name}-fernet-key-random",
            byte_length=32,
            opts=pulumi.ResourceOptions.merge(
                guarded,
                pulumi.ResourceOptions(parent=self, additional_secret_outputs=["b64Url", "b64Std", "hex", "dec"]),
            ),
        )
        api_secret = random.RandomPassword(
            f"{self._name}-api-secret-key-random", length=64, special=False, opts=random_opts
        )
        jwt_secret = random.RandomPassword(
            f"{self._name}-jwt-secret-random", length=64, special=False, opts=random_opts
        )
        return [
            self._secret("fernet-key", secrets.fernet_key, {FERNET_KEY: fernet.b64_url.apply(fernet_key)}, guarded),
            self._secret("api-secret-key", secrets.api_secret_key, {API_SECRET_KEY: api_secret.result}),
            self._secret("jwt-secret", secrets.jwt_secret, {JWT_SECRET: jwt_secret.result}),
        ]

    def _database(
        self,
        cfg: StackConfig,
        names: Names,
        data_plane: Any | None,
        secrets: KitSecrets,
        created: list[pulumi.Resource],
    ) -> pulumi.Output[DatabaseEndpoint]:
        if data_plane is not None:
            return pulumi.Output.all(
                data_plane.database_host, data_plane.database_port, data_plane.database_password
            ).apply(
                lambda parts: DatabaseEndpoint(
                    host=parts[0],
                    port=int(parts[1]),
                    name=data_plane.database_name,
                    user=data_plane.database_username,
                    password=parts[2],
                    sslmode="require",
                )
            )
        if secrets.local_database is None:
            raise ValueError("the local tier needs its in-cluster PostgreSQL")
        password = random.RandomPassword(
            f"{self._name}-postgresql-password-random",
            length=32,
            special=False,
            opts=pulumi.ResourceOptions(parent=self),
        )
        password_secret = self._secret(
            "postgresql-password", secrets.local_database, {POSTGRES_PASSWORD: password.result}
        )
        postgres = LocalPostgres(
            f"{self._name}-postgresql",
            names,
            password_secret,
            pulumi.Output.secret(password.result),
            opts=pulumi.ResourceOptions(parent=self, providers=[self._k8s.provider], depends_on=self._k8s.depends_on),
        )
        created += [password_secret, postgres]
        return postgres.endpoint

    def _connections(
        self,
        cfg: StackConfig,
        names: Names,
        tuning: Tuning,
        endpoint: pulumi.Output[DatabaseEndpoint],
        secrets: KitSecrets,
    ) -> list[pulumi.Resource]:
        def text(render) -> pulumi.Output[str]:
            return pulumi.Output.secret(endpoint.apply(render))

        pooled = cfg.pgbouncer.enabled
        created = [
            self._secret(
                "metadata",
                secrets.metadata,
                {
                    CONNECTION: text(lambda db: database.metadata_url(db, names, pooled)),
                    ASYNC_CONNECTION: text(lambda db: database.async_url(db, names, pooled)),
                },
            ),
            self._secret("metadata-direct", secrets.migration, {CONNECTION: text(database.direct_url)}),
        ]
        if secrets.result_backend:
            created.append(
                self._secret(
                    "result-backend",
                    secrets.result_backend,
                    {CONNECTION: text(lambda db: database.result_backend_url(db, names, pooled))},
                )
            )
        if secrets.pgbouncer_config and secrets.pgbouncer_stats:
            pools = PoolSizes(
                max_client_conn=_required(tuning.pgbouncer_max_client_conn, "pgbouncer_max_client_conn"),
                metadata_pool_size=_required(tuning.pgbouncer_metadata_pool_size, "pgbouncer_metadata_pool_size"),
                result_backend_pool_size=tuning.pgbouncer_result_backend_pool_size,
            )
            created += [
                self._secret(
                    "pgbouncer-config",
                    secrets.pgbouncer_config,
                    {
                        PGBOUNCER_INI: text(lambda db: database.pgbouncer_ini(db, names, pools)),
                        PGBOUNCER_USERS: text(database.pgbouncer_users),
                    },
                ),
                self._secret(
                    "pgbouncer-stats", secrets.pgbouncer_stats, {CONNECTION: text(database.pgbouncer_stats_url)}
                ),
            ]
        return created

    def _broker(
        self, cfg: StackConfig, names: Names, data_plane: Any | None, secrets: KitSecrets
    ) -> list[pulumi.Resource]:
        if secrets.broker_url is None:
            return []
        if data_plane is not None:
            if data_plane.broker_url is None:
                raise ValueError("a Celery stack on AWS needs the ElastiCache broker URL")
            return [self._secret("broker-url", secrets.broker_url, {CONNECTION: data_plane.broker_url})]
        if secrets.redis_password is None:
            raise ValueError("the local tier's Celery broker is the chart's Redis, with a kit password")
        password = random.RandomPassword(
            f"{self._name}-redis-password-random", length=32, special=False, opts=pulumi.ResourceOptions(parent=self)
        )
        # The chart names its in-cluster Redis service `<release>-redis`.
        broker_url = password.result.apply(lambda secret: f"redis://:{secret}@{names.release}-redis:6379/0")
        return [
            self._secret("redis-password", secrets.redis_password, {REDIS_PASSWORD: password.result}),
            self._secret("broker-url", secrets.broker_url, {CONNECTION: broker_url}),
        ]

    def _dags_credentials(self, cfg: StackConfig, secrets: KitSecrets) -> list[pulumi.Resource]:
        token = cfg.secrets.dags_git_token
        if secrets.dags_git is None or token is None or cfg.dags.git is None:
            return []
        value = pulumi.Output.secret(token.get_secret_value())
        if cfg.dags.source == "git-sync":
            data: dict[str, pulumi.Input[str]] = dict.fromkeys(GIT_SYNC_USERNAME_KEYS, GIT_USERNAME)
            data |= dict.fromkeys(GIT_SYNC_PASSWORD_KEYS, value)
        else:
            repo_url = cfg.dags.git.url
            data = {CONNECTION: value.apply(lambda secret: git_connection_json(repo_url, secret))}
        return [self._secret("dags-git", secrets.dags_git, data)]

    # --- Jobs and references -----------------------------------------------------------------

    def _job(self, purpose: str, spec: dict[str, Any], after: list[pulumi.Resource]) -> kubernetes.batch.v1.Job:
        metadata = {**spec["metadata"], "namespace": self._namespace}
        return kubernetes.batch.v1.Job(
            f"{self._name}-{purpose}",
            metadata=metadata,
            spec=spec["spec"],
            opts=pulumi.ResourceOptions.merge(
                self._k8s,
                pulumi.ResourceOptions(
                    depends_on=[*self._k8s.depends_on, *after],
                    # The name is fixed by the version: a replacement must remove the old Job first.
                    delete_before_replace=True,
                    custom_timeouts=pulumi.CustomTimeouts(create=JOB_TIMEOUT, update=JOB_TIMEOUT),
                ),
            ),
        )

    @staticmethod
    def _refs(data_plane: Any | None) -> pulumi.Output[InfraRefs]:
        if data_plane is None:
            return pulumi.Output.from_input(InfraRefs())
        return pulumi.Output.all(
            bucket=data_plane.logs_bucket_name, role_arns=pulumi.Output.all(**data_plane.role_arns)
        ).apply(
            lambda parts: InfraRefs(
                aws_region=data_plane.aws_region, logs_bucket=parts["bucket"], role_arns=parts["role_arns"]
            )
        )


def _required(value: int | None, field: str) -> int:
    if value is None:
        raise ValueError(f"tuning.{field} is needed with PgBouncer on")
    return value
