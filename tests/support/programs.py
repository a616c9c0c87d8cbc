"""One component at a time under Pulumi's mock engine, fed typed stand-ins of what the other
components would hand it (``components/seams.py``), with recognisable sentinel credentials."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import pulumi
from pulumi.runtime.sync_await import _sync_await

from components.args import AwsTier, LocalTier, platform_args
from components.config.errors import PROJECT
from components.config.model import StackConfig
from components.plan.engine import EngineRun, KitMocks, Registration, run_under_mocks
from components.plan.standins.aws import CLUSTER_SECURITY_GROUP
from components.seams import (
    AlarmTargets,
    ClusterConnection,
    DatabaseRole,
    DataPlaneOutputs,
    EksClusterAccess,
    FernetKeyStore,
    IntegrationsOutputs,
    RdsConnection,
    SecretsManagerAccess,
)

from .chart import AWS_REFS
from .stacks import stack

RANDOM_PASSWORD = "random:index/randomPassword:RandomPassword"
# What the mock hands out as generated passwords: recognisable, and with characters that
# URL-encoding changes, so an encoded copy is caught too.
DB_PASSWORD_SENTINEL = "Sentinel-Db.Pw~9f3a_x7Kq2"
AUTH_TOKEN_SENTINEL = "SentinelAuthToken4d9e2b7c1a8f6e3d0b5a9c7e2f4d1b8a"
# Credentials the stand-in data plane hands the Kubernetes layer.
DB_PASSWORD = "SENTINEL-db-password/with:chars@"
APPLICATION_PASSWORD = "SENTINEL-app-password/with:chars@"
KEDA_PASSWORD = "SENTINEL-keda-password"
PODS_SECURITY_GROUP = "sg-0a1b2c3d4e5f60001"
CA_BUNDLE = "-----BEGIN CERTIFICATE-----\nU0VOVElORUwtY2EtYnVuZGxl\n-----END CERTIFICATE-----\n"
BROKER_TOKEN = "SENTINEL-broker-token"
GIT_TOKEN = "SENTINEL-git-token"
KMS_KEY_ARN = "arn:aws:kms:eu-west-1:123456789012:key/secrets-0000"


def resolved(output: pulumi.Output[Any]) -> Any:
    return _sync_await(output.future())


def is_secret(output: pulumi.Output[Any]) -> bool:
    return bool(_sync_await(output.is_secret()))


def policy(registration: Registration, key: str = "policy") -> dict[str, Any]:
    return json.loads(registration.inputs[key])


def plaintext_forms(secret: str) -> tuple[str, ...]:
    return (secret, quote(secret, safe=""), quote(secret))


def run_program(cfg: StackConfig, program: Callable[[], None], mocks: pulumi.runtime.Mocks | None = None) -> EngineRun:
    return run_under_mocks(program, project=PROJECT, stack=cfg.stack, config={}, mocks=mocks)


class RecordingMocks(KitMocks):
    """The kit's stand-ins, plus: sentinel passwords, and which provider each resource and
    invoke was given."""

    def __init__(self) -> None:
        super().__init__()
        self.resource_providers: dict[str, str | None] = {}
        self.invoke_providers: dict[str, str | None] = {}

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        self.resource_providers[args.name] = args.provider
        resource_id, outputs = super().new_resource(args)
        if args.typ == RANDOM_PASSWORD:
            sentinel = AUTH_TOKEN_SENTINEL if "auth-token" in args.name else DB_PASSWORD_SENTINEL
            outputs = {**outputs, "result": sentinel}
        return resource_id, outputs

    def call(self, args: pulumi.runtime.MockCallArgs) -> dict[str, Any]:
        self.invoke_providers[args.token] = args.provider
        return super().call(args)


@dataclass
class DataPlaneRun:
    cfg: StackConfig
    run: EngineRun
    outputs: DataPlaneOutputs
    mocks: RecordingMocks

    def of_type(self, token: str) -> list[Registration]:
        return self.run.of_type(token)

    def one(self, token: str) -> Registration:
        found = self.run.of_type(token)
        assert len(found) == 1, f"{len(found)} resources of type {token}"
        return found[0]

    def aws_registrations(self) -> list[Registration]:
        return [r for r in self.run.registrations if r.type.startswith("aws:")]


def run_data_plane(
    tier: str, stack_name: str | None = None, mocks: RecordingMocks | None = None, **sections: Any
) -> DataPlaneRun:
    """The AWS data plane alone, for a stack of ``tier`` (its defaults plus ``sections``), against
    ``mocks`` (the kit's stand-ins with sentinel secrets by default)."""
    from components.aws import AwsDataPlane

    name = stack_name or tier
    cfg = stack(tier, name, **sections)
    args = platform_args(cfg).tier
    assert isinstance(args, AwsTier), f"tier {tier} has no AWS data plane"
    mocks = mocks or RecordingMocks()
    built: dict[str, DataPlaneOutputs] = {}

    def program() -> None:
        built["outputs"] = AwsDataPlane(f"{name}-aws", args.data_plane).outputs

    run = run_program(cfg, program, mocks)
    return DataPlaneRun(cfg, run, built["outputs"], mocks)


def data_plane_stand_in(cfg: StackConfig, db_password: str = DB_PASSWORD) -> DataPlaneOutputs:
    """What ``AwsDataPlane`` hands the other components, with sentinel credentials."""
    import pulumi_aws as aws

    from components.naming.aws import AwsNames

    provider = aws.Provider("aws", region="eu-west-1")
    broker_url = f"rediss://:{BROKER_TOKEN}@master.redis.example:6379/0?ssl_cert_reqs=required"
    db = cfg.database
    assert db is not None, "the data plane exists in the AWS tiers only"
    roles = db.roles if db.roles.enabled else None
    return DataPlaneOutputs(
        region="eu-west-1",
        eks=EksClusterAccess(
            name="data-platform",
            region="eu-west-1",
            endpoint=pulumi.Output.from_input("https://EXAMPLE.gr7.eu-west-1.eks.amazonaws.com"),
            ca_data=pulumi.Output.from_input("LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg=="),
        ),
        database=RdsConnection(
            host=pulumi.Output.from_input("airflow.c9akciq32.eu-west-1.rds.amazonaws.com"),
            port=pulumi.Output.from_input(5432),
            db_name="airflow",
            username="airflow",
            password=pulumi.Output.secret(db_password),
            sslmode=db.tls.mode,
            ca_bundle=pulumi.Output.from_input(CA_BUNDLE) if db.tls.mode == "verify-full" else None,
            application_role=DatabaseRole(roles.application, pulumi.Output.secret(APPLICATION_PASSWORD))
            if roles
            else None,
            keda_role=DatabaseRole(roles.keda, pulumi.Output.secret(KEDA_PASSWORD)) if roles else None,
        ),
        broker_url=pulumi.Output.secret(broker_url) if cfg.uses_celery else None,
        logs_bucket=pulumi.Output.from_input(AWS_REFS.logs_bucket),
        role_arns={component: pulumi.Output.from_input(arn) for component, arn in AWS_REFS.role_arns.items()},
        secrets_manager=SecretsManagerAccess(provider, pulumi.Output.from_input(KMS_KEY_ARN))
        if cfg.secrets_backend.type == "aws-secrets-manager"
        else None,
        alarm_targets=AlarmTargets(
            aws.Provider("aws-alarms", region="eu-west-1"),
            pulumi.Output.from_input("123456789012"),
            pulumi.Output.from_input("aws"),
        ),
        fernet_key_store=FernetKeyStore(
            provider,
            AwsNames(cfg.kubernetes.release_name, cfg.stack, "16").fernet_key_store,
            KMS_KEY_ARN,
            adopt=cfg.database is not None and cfg.database.adopt_retained,
        ),
        pod_security_groups=(
            pulumi.Output.from_input(PODS_SECURITY_GROUP),
            pulumi.Output.from_input(CLUSTER_SECURITY_GROUP),
        )
        if cfg.aws is not None and cfg.aws.security_groups_for_pods
        else None,
    )


def cluster_stand_in(cfg: StackConfig) -> ClusterConnection:
    import pulumi_kubernetes as kubernetes

    provider = kubernetes.Provider("cluster")
    namespace = kubernetes.core.v1.Namespace(
        "namespace", metadata={"name": cfg.kubernetes.namespace}, opts=pulumi.ResourceOptions(provider=provider)
    )
    return ClusterConnection(provider, namespace, pulumi.Output.from_input(cfg.kubernetes.namespace))


def airflow_program(cfg: StackConfig, db_password: str = DB_PASSWORD) -> Callable[[], None]:
    """The Kubernetes layer alone: ClusterAccess and AirflowOnKubernetes, fed by stand-ins of the
    AWS data plane and the integrations."""

    def program() -> None:
        from components.kubernetes import AirflowOnKubernetes, ClusterAccess

        args = platform_args(cfg)
        stores: DataPlaneOutputs | LocalTier
        if isinstance(args.tier, AwsTier):
            stores = data_plane_stand_in(cfg, db_password)
            eks: EksClusterAccess | None = stores.eks
        else:
            stores, eks = args.tier, None
        cluster = ClusterAccess("test-cluster", args.cluster, eks).connection
        airflow = AirflowOnKubernetes("test-airflow", args.airflow, cluster, stores, IntegrationsOutputs((), ()))
        pulumi.export("releaseName", airflow.release_name)

    return program


def integrations_program(cfg: StackConfig) -> Callable[[], None]:
    """The Integrations component alone, with stand-ins of the cluster and the data plane."""

    def program() -> None:
        from components.integrations import Integrations

        args = platform_args(cfg)
        data_plane = data_plane_stand_in(cfg) if cfg.on_aws else None
        Integrations(
            "it",
            args.integrations,
            cluster_stand_in(cfg),
            data_plane.secrets_manager if data_plane is not None else None,
        )

    return program


SECRET_SIGNATURE_KEY = pulumi.runtime.rpc._special_sig_key
SECRET_SIGNATURE = pulumi.runtime.rpc._special_secret_sig


class ValueMocks(RecordingMocks):
    """The kit's stand-ins, remembering every resource's inputs in the clear (secrets unwrapped),
    so a test can read what a Secret would really hold."""

    def __init__(self) -> None:
        super().__init__()
        self.inputs: dict[str, dict[str, Any]] = {}

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        self.inputs[args.name] = unwrapped(dict(args.inputs))
        return super().new_resource(args)


def unwrapped(value: Any) -> Any:
    """Mock inputs carry secrets in their wire wrapper ``{<signature key>: <secret sig>, "value": ...}``."""
    if isinstance(value, dict):
        if value.get(SECRET_SIGNATURE_KEY) == SECRET_SIGNATURE:
            return unwrapped(value["value"])
        return {key: unwrapped(item) for key, item in value.items()}
    if isinstance(value, list):
        return [unwrapped(item) for item in value]
    return value
