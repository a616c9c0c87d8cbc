"""Run the AWS data plane alone under the mock engine, with recognisable generated secrets."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import pulumi
from pulumi.runtime.sync_await import _sync_await

from components.aws import AwsDataPlane
from components.config.loader import load_stack_config
from components.config.model import StackConfig
from components.naming import Names
from components.plan.engine import EngineRun, KitMocks, Registration, run_under_mocks
from tests.stack_builders import values

RANDOM_PASSWORD = "random:index/randomPassword:RandomPassword"
# What the mock hands out as generated passwords: recognisable, and with characters that
# URL-encoding changes, so an encoded copy is caught too.
DB_PASSWORD_SENTINEL = "Sentinel-Db.Pw~9f3a_x7Kq2"
AUTH_TOKEN_SENTINEL = "SentinelAuthToken4d9e2b7c1a8f6e3d0b5a9c7e2f4d1b8a"


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
    plane: AwsDataPlane
    mocks: RecordingMocks
    names: Names = field(init=False)

    def __post_init__(self) -> None:
        self.names = Names(self.cfg.kubernetes.release_name, self.cfg.kubernetes.namespace)

    def of_type(self, token: str) -> list[Registration]:
        return self.run.of_type(token)

    def one(self, token: str) -> Registration:
        found = self.run.of_type(token)
        assert len(found) == 1, f"{len(found)} resources of type {token}"
        return found[0]

    def aws_registrations(self) -> list[Registration]:
        return [r for r in self.run.registrations if r.type.startswith("aws:")]


def config(tier: str, stack: str | None = None, **sections: Any) -> StackConfig:
    return load_stack_config(stack or tier, values(tier, **sections))


def run_data_plane(tier: str, stack: str | None = None, **sections: Any) -> DataPlaneRun:
    """Build the data plane of a stack of ``tier`` (config = the tier's defaults + ``sections``)."""
    stack = stack or tier
    stack_values = values(tier, **sections)
    cfg = load_stack_config(stack, stack_values)
    mocks = RecordingMocks()
    built: dict[str, AwsDataPlane] = {}

    def program() -> None:
        names = Names(cfg.kubernetes.release_name, cfg.kubernetes.namespace)
        built["plane"] = AwsDataPlane(f"{stack}-aws", cfg, names)

    run = run_under_mocks(program, project="airflow-ha", stack=stack, config=stack_values, mocks=mocks)
    return DataPlaneRun(cfg, run, built["plane"], mocks)


def resolved(output: pulumi.Output[Any]) -> Any:
    return _sync_await(output.future())


def is_secret(output: pulumi.Output[Any]) -> bool:
    return _sync_await(output.is_secret())


def policy(registration: Registration, key: str = "policy") -> dict[str, Any]:
    return json.loads(registration.inputs[key])


def plaintext_forms(secret: str) -> tuple[str, ...]:
    return (secret, quote(secret, safe=""), quote(secret))
