"""What flows between the Pulumi components is typed, and built once from the validated config."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
import typing

import pulumi
import pytest

import components
from components.args import AwsTier, LocalTier, platform_args
from tests.support.paths import SHIPPED_STACKS
from tests.support.stacks import shipped_stack, stack


def _component_classes() -> list[type[pulumi.ComponentResource]]:
    for module in pkgutil.walk_packages(components.__path__, "components."):
        if not module.name.endswith("__main__"):
            importlib.import_module(module.name)
    found: list[type[pulumi.ComponentResource]] = []
    pending = list(pulumi.ComponentResource.__subclasses__())
    while pending:
        cls = pending.pop()
        pending += cls.__subclasses__()
        if cls.__module__.startswith("components."):
            found.append(cls)
    return found


def _mentions_any(annotation: object) -> bool:
    """The kit's modules use postponed annotations: each one is its source text."""
    return annotation is typing.Any or bool(re.search(r"\bAny\b", str(annotation)))


def test_the_walk_finds_every_component():
    names = {cls.__name__ for cls in _component_classes()}
    assert {"AirflowPlatform", "AwsDataPlane", "ClusterAccess", "Integrations", "AirflowOnKubernetes"} <= names


@pytest.mark.parametrize("component", _component_classes(), ids=lambda cls: cls.__name__)
def test_no_component_constructor_takes_any(component):
    parameters = inspect.signature(component.__init__).parameters.values()
    untyped = [parameter.name for parameter in parameters if _mentions_any(parameter.annotation)]
    assert untyped == [], f"{component.__name__}.__init__ takes Any for {untyped}"


@pytest.mark.parametrize("stack_name", SHIPPED_STACKS)
def test_which_stores_a_stack_gets_is_decided_once(stack_name):
    args = platform_args(shipped_stack(stack_name))
    if stack_name == "local":
        assert isinstance(args.tier, LocalTier)
        assert args.airflow.secrets.local == args.tier.secrets
    else:
        assert isinstance(args.tier, AwsTier)
        assert (args.tier.data_plane.broker is not None) == ("Celery" in shipped_stack(stack_name).executor)


def test_arguments_from_a_config_that_skipped_validation_fail_clearly():
    unvalidated = stack("dev").model_copy(update={"database": None})
    expected = r"database is missing: build component arguments from validated_stack_config"
    with pytest.raises(RuntimeError, match=expected):
        platform_args(unvalidated)
