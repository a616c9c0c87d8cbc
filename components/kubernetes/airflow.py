"""Airflow itself: stable keys, connection Secrets, the migration Job and the Helm release.

Upgrades that cannot deadlock: the chart's migration and user hooks are off. The kit runs
``airflow db migrate`` in its own Job, named after the Airflow version and image
(``values/jobs.py``), and the Helm release depends on it. Pulumi waits for a Job to complete, so
on the first deploy and on every version change the database is migrated exactly once, by
the target image, before the release rolls out pods that need the new schema; an unchanged
version leaves the Job untouched. A new version is a new Job name, so no immutable Job is ever
patched. The chart's ``waitForMigrations`` init containers stay on as a guard. Why: docs/adr/0001.
"""

from __future__ import annotations

import pulumi
import pulumi_random as random

from ..args import AirflowArgs, LocalTier
from ..seams import ClusterConnection, DataPlaneOutputs, IntegrationsOutputs, KitSecret
from ..values.jobs import LOCAL_ADMIN_PASSWORD_KEY
from ..values.refs import AwsRefs
from .broker import local_broker_secrets, managed_broker_secret
from .dags_credentials import dags_git_secret
from .jobs import one_shot_job
from .metadata_database import MetadataDatabase, connection_secrets, local_database, rds_database
from .pod_security_groups import security_group_policy
from .release import airflow_release
from .secrets import SecretFactory, kit_secret, rollout_checksums
from .stable_keys import stable_keys

LOCAL_ADMIN_PASSWORD_LENGTH = 24


class AirflowOnKubernetes(pulumi.ComponentResource):
    """``stores`` is the AWS data plane's outputs in the AWS tiers, or the local tier's own."""

    def __init__(
        self,
        name: str,
        args: AirflowArgs,
        cluster: ClusterConnection,
        stores: DataPlaneOutputs | LocalTier,
        integrations: IntegrationsOutputs,
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("airflow-ha:kubernetes:Airflow", name, None, opts)
        namespace = cluster.namespace_name
        k8s = pulumi.ResourceOptions(parent=self, provider=cluster.provider, depends_on=[cluster.namespace])
        secrets = SecretFactory(name, namespace, k8s)
        kit = args.secrets

        keys = stable_keys(
            name,
            kit,
            args.fernet,
            protect=args.protect_keys,
            store=stores.fernet_key_store if isinstance(stores, DataPlaneOutputs) else None,
            secrets=secrets,
            parent=self,
        )
        database = self._database(name, args, cluster, stores, secrets, k8s)
        roles = isinstance(stores, DataPlaneOutputs) and stores.database.application_role is not None
        connections = connection_secrets(database.endpoint, args.names, kit, args.pgbouncer, secrets, roles=roles)
        broker = self._broker(name, args, stores, secrets)
        dags = (dags_git_secret(args.dags_git, secrets),) if args.dags_git is not None else ()

        every_secret: tuple[KitSecret, ...] = (*keys, *database.secrets, *connections, *broker, *dags)
        created: list[pulumi.Resource] = [secret.resource for secret in every_secret] + list(database.resources)
        if isinstance(stores, DataPlaneOutputs) and stores.pod_security_groups is not None:
            # Before any pod that must reach the data stores starts: the migration Job and the release.
            created.append(
                security_group_policy(
                    f"{name}-security-group-policy", args.names, namespace, stores.pod_security_groups, k8s
                )
            )

        migration = one_shot_job(f"{name}-migrate", args.migration_job, namespace, k8s, created)
        jobs: list[pulumi.Resource] = [migration]
        if isinstance(stores, LocalTier):
            password = random.RandomPassword(
                f"{name}-admin-password-random",
                length=LOCAL_ADMIN_PASSWORD_LENGTH,
                special=False,
                opts=pulumi.ResourceOptions(parent=self),
            )
            admin_secret = kit_secret(
                f"{name}-admin-password",
                stores.secrets.admin,
                namespace,
                {LOCAL_ADMIN_PASSWORD_KEY: password.result},
                k8s,
            )
            jobs.append(
                one_shot_job(
                    f"{name}-create-admin", stores.admin_job, namespace, k8s, [*created, admin_secret, migration]
                )
            )

        checksums = rollout_checksums((*every_secret, *integrations.secrets))
        values = pulumi.Output.all(_aws_refs(stores), checksums).apply(
            lambda resolved: args.values.compose(resolved[0], resolved[1])
        )
        self.release = airflow_release(
            f"{name}-release",
            release_name=args.names.release,
            namespace=namespace,
            chart_version=args.chart_version,
            chart_repository=args.chart_repository,
            values=values,
            opts=k8s,
            after=[cluster.namespace, *created, *jobs, *integrations.release_dependencies],
        )
        self.release_name: pulumi.Output[str] = self.release.name
        self.migration_job_name: pulumi.Output[str] = migration.metadata.apply(lambda metadata: metadata.name)
        self.register_outputs({"releaseName": self.release_name, "migrationJob": self.migration_job_name})

    def _database(
        self,
        name: str,
        args: AirflowArgs,
        cluster: ClusterConnection,
        stores: DataPlaneOutputs | LocalTier,
        secrets: SecretFactory,
        k8s: pulumi.ResourceOptions,
    ) -> MetadataDatabase:
        if isinstance(stores, DataPlaneOutputs):
            return rds_database(name, stores.database, args.names, cluster.namespace_name, k8s)
        return local_database(
            name,
            args.names,
            stores.secrets,
            secrets,
            parent=self,
            provider=cluster.provider,
            depends_on=[cluster.namespace],
        )

    def _broker(
        self, name: str, args: AirflowArgs, stores: DataPlaneOutputs | LocalTier, secrets: SecretFactory
    ) -> tuple[KitSecret, ...]:
        celery = args.secrets.celery
        if celery is None:
            return ()
        if isinstance(stores, DataPlaneOutputs):
            return managed_broker_secret(celery, stores.broker_url, secrets) if stores.broker_url is not None else ()
        password_secret = stores.secrets.redis_password
        if password_secret is None:
            return ()
        return local_broker_secrets(name, args.names, celery, password_secret, secrets, parent=self)


def _aws_refs(stores: DataPlaneOutputs | LocalTier) -> pulumi.Output[AwsRefs | None]:
    if not isinstance(stores, DataPlaneOutputs):
        return pulumi.Output.from_input(None)
    region = stores.region
    pods_group = stores.pod_security_groups[0] if stores.pod_security_groups else None
    # Output.all() of nothing is a list: a stack without event sources gets an empty mapping.
    queue_urls = (
        pulumi.Output.all(**stores.event_queue_urls) if stores.event_queue_urls else pulumi.Output.from_input({})
    )
    return pulumi.Output.all(stores.logs_bucket, pulumi.Output.all(**stores.role_arns), pods_group, queue_urls).apply(
        lambda parts: AwsRefs(
            region=region,
            logs_bucket=parts[0],
            role_arns=parts[1],
            pod_security_group=parts[2],
            event_queue_urls=parts[3],
        )
    )
