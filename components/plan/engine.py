"""Run a Pulumi program in-process under the mock engine and record every registration.

The recording monitor sees what the mocks cannot: resource options (protect, retainOnDelete,
dependencies, ignoreChanges, aliases) and which input values are secret. Secret values are
replaced by ``[secret]`` in the recorded inputs, so a plaintext secret shows up as itself: that is
how the tests prove that no secret is registered in the clear.

URNs are the engine's own: the qualified type carries every ancestor's type
(``Platform$DataPlane$Broker$aws:ec2/securityGroup:SecurityGroup``), so a resource that moves to
another parent, or whose component type is renamed, gets a new URN, as it would in a deployment.
(The mock monitor alone keeps only the direct parent's type.)
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

import pulumi
from google.protobuf import json_format
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime import settings as pulumi_settings
from pulumi.runtime.settings import get_project, get_stack
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

from . import standins

SECRET = "[secret]"
_SIG_KEY = "4dabf18193072939515e22adb298388d"
_SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
_RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e"
_UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
ROOT_STACK_TYPE = "pulumi:pulumi:Stack"


@dataclass
class Registration:
    """One resource as the engine would receive it."""

    type: str
    name: str
    urn: str
    aliases: list[str]  # earlier URNs this resource keeps the identity of
    parent: str | None
    parent_urn: str | None
    inputs: dict[str, Any]
    protect: bool
    retain_on_delete: bool
    depends_on: list[str]
    ignore_changes: list[str]
    replace_on_changes: list[str]
    delete_before_replace: bool
    custom: bool
    import_id: str  # `pulumi import` of an existing resource; empty when created

    def as_plan(self) -> dict[str, Any]:
        return {
            "urn": self.urn,
            "aliases": self.aliases,
            "type": self.type,
            "name": self.name,
            "parent": self.parent,
            "inputs": self.inputs,
            "protect": self.protect,
            "retainOnDelete": self.retain_on_delete,
            "dependsOn": self.depends_on,
            "ignoreChanges": self.ignore_changes,
        } | ({"importId": self.import_id} if self.import_id else {})


@dataclass
class EngineRun:
    registrations: list[Registration] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # what the program logged at warning level

    def of_type(self, type_token: str) -> list[Registration]:
        return [r for r in self.registrations if r.type == type_token]

    def named(self, name: str) -> Registration:
        matches = [r for r in self.registrations if r.name == name]
        if len(matches) != 1:
            raise KeyError(f"{len(matches)} resources named {name!r}")
        return matches[0]


class KitMocks(pulumi.runtime.Mocks):
    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        return (
            standins.resource_id(args.name),
            standins.resource_outputs(args.typ, args.name, args.inputs),
        )

    def call(self, args: pulumi.runtime.MockCallArgs) -> dict[str, Any]:
        try:
            return standins.CALLS[args.token](args.args)
        except KeyError:
            raise NotImplementedError(f"the offline plan has no stand-in for the invoke {args.token}") from None


class RecordingMonitor(pulumi_mocks.MockMonitor):
    def __init__(self, mocks: pulumi.runtime.Mocks, run: EngineRun):
        super().__init__(mocks)
        self.run = run

    def make_urn(self, parent: str, type_: str, name: str) -> str:
        return engine_urn(get_stack(), get_project(), parent, type_, name)

    def RegisterResource(self, request):  # noqa: N802 - the gRPC method name
        response = super().RegisterResource(request)
        if request.type != ROOT_STACK_TYPE:
            self.run.registrations.append(_registration(request, response.urn))
        return response


class _WarningRecorder(logging.Handler):
    def __init__(self, run: EngineRun):
        super().__init__(logging.WARNING)
        self.run = run

    def emit(self, record: logging.LogRecord) -> None:
        self.run.warnings.append(record.getMessage())


def engine_urn(stack: str, project: str, parent: str, type_: str, name: str) -> str:
    """``urn:pulumi:<stack>::<project>::<parent's qualified type>$<type>::<name>``, as the engine builds it."""
    qualified = type_
    if parent:
        parent_type = parent.split("::")[2]
        if parent_type != ROOT_STACK_TYPE:
            qualified = f"{parent_type}${type_}"
    return f"urn:pulumi:{stack}::{project}::{qualified}::{name}"


def _alias_urns(request) -> list[str]:
    """Each alias of the request as the URN it names: a plain URN, or a spec whose unset parts
    default to the resource's own name, type, parent, stack and project."""
    urns: list[str] = list(request.aliasURNs)
    for alias in request.aliases:
        if alias.WhichOneof("alias") == "urn":
            urns.append(alias.urn)
            continue
        spec = alias.spec
        if spec.noParent:
            parent = ""
        elif spec.parentUrn:
            parent = spec.parentUrn
        else:
            parent = request.parent
        urns.append(
            engine_urn(
                spec.stack or get_stack(),
                spec.project or get_project(),
                parent,
                spec.type or request.type,
                spec.name or request.name,
            )
        )
    return sorted(set(urns))


def _name_of(urn: str) -> str:
    return urn.rsplit("::", 1)[-1]


def _registration(request, urn: str) -> Registration:
    inputs = _masked(json_format.MessageToDict(request.object))
    parent_type = request.parent.split("::")[2] if request.parent else ""
    parent = _name_of(request.parent) if parent_type and parent_type != ROOT_STACK_TYPE else None
    return Registration(
        type=request.type,
        name=request.name,
        urn=urn,
        aliases=_alias_urns(request),
        parent=parent,
        parent_urn=request.parent if parent else None,
        inputs=inputs,
        protect=bool(request.protect),
        retain_on_delete=bool(request.retainOnDelete),
        depends_on=sorted({_name_of(dep) for dep in request.dependencies}),
        ignore_changes=list(request.ignoreChanges),
        replace_on_changes=list(request.replaceOnChanges),
        delete_before_replace=bool(request.deleteBeforeReplace),
        custom=bool(request.custom),
        import_id=request.importId,
    )


def _masked(value: Any) -> Any:
    """Wire-format values → plain JSON: secrets become ``[secret]``, references their URN."""
    if isinstance(value, dict):
        signature = value.get(_SIG_KEY)
        if signature == _SECRET_SIG:
            return SECRET
        if signature == _RESOURCE_SIG:
            return value.get("urn")
        return {key: _masked(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_masked(item) for item in value]
    if value == _UNKNOWN:
        return "[unknown]"
    if isinstance(value, float) and value.is_integer():
        return int(value)  # protobuf Struct carries every number as a double
    return value


def run_under_mocks(
    program: Callable[[], None],
    *,
    project: str,
    stack: str,
    config: Mapping[str, Any],
    secret_keys: Collection[str] = (),
    mocks: pulumi.runtime.Mocks | None = None,
) -> EngineRun:
    """Run ``program`` as ``pulumi up`` would, against stand-ins instead of the cloud.

    ``config`` maps full keys (``airflow-ha:tier``) to values; objects are passed to the
    program JSON-encoded, as the Pulumi CLI does.
    """
    run = EngineRun()
    kit_mocks = mocks or KitMocks()
    pulumi.runtime.set_all_config(
        {key: value if isinstance(value, str) else json.dumps(value) for key, value in config.items()},
        list(secret_keys),
    )
    pulumi_settings.ROOT.set(None)
    logger = logging.getLogger(f"{__name__}.program")
    logger.handlers = [_WarningRecorder(run)]
    logger.propagate = False
    pulumi.runtime.set_mocks(
        kit_mocks,
        project=project,
        stack=stack,
        preview=False,
        logger=logger,
        monitor=RecordingMonitor(kit_mocks, run),
    )
    pulumi_settings.SETTINGS.rpc_manager.clear()
    pulumi_settings.SETTINGS.outputs.clear()
    _sync_await(run_pulumi_func(program))
    return run
