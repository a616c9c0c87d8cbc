"""No resource of a shipped stack loses its identity: every recorded URN is still there, or aliased.

The recorded URNs were taken before the layering refactor; it renamed nothing.
"""

from __future__ import annotations

import pulumi
import pytest

from components.plan.engine import engine_urn, run_under_mocks
from tests.support.identity import recorded_urns, shipped_plan
from tests.support.paths import SHIPPED_STACKS


@pytest.mark.parametrize("stack_name", SHIPPED_STACKS)
def test_every_recorded_resource_keeps_its_urn_or_an_alias_to_it(stack_name):
    resources = shipped_plan(stack_name).resources
    current = {resource.urn for resource in resources}
    kept = current | {alias for resource in resources for alias in resource.aliases}
    lost = sorted(recorded_urns(stack_name) - kept)
    assert not lost, (
        "these resources would be deleted and created again (a new URN, no alias): give each "
        f"`aliases=[pulumi.Alias(...)]` naming its old parent or type: {lost}"
    )
    unrecorded = sorted(current - recorded_urns(stack_name))
    assert not unrecorded, f"new resources: record them with `python -m tests.support.identity`: {unrecorded}"


class _Old(pulumi.ComponentResource):
    def __init__(self, name: str) -> None:
        super().__init__("test:index:Old", name)


class _New(pulumi.ComponentResource):
    def __init__(self, name: str) -> None:
        super().__init__("test:index:New", name)


def _moved(alias: bool) -> list:
    def program() -> None:
        outer = _Old("outer")
        new_parent = _New(
            "new-parent",
        )
        aliases = [pulumi.Alias(parent=outer)] if alias else None
        pulumi.CustomResource(
            "test:index:Thing", "thing", {}, pulumi.ResourceOptions(parent=new_parent, aliases=aliases)
        )

    return run_under_mocks(program, project="p", stack="s", config={}).registrations


def test_a_urn_carries_every_ancestor_type_as_the_engine_builds_it():
    registrations = {r.name: r for r in _moved(alias=False)}
    assert registrations["thing"].urn == "urn:pulumi:s::p::test:index:New$test:index:Thing::thing"
    assert engine_urn("s", "p", registrations["thing"].urn, "x:y:Z", "z") == (
        "urn:pulumi:s::p::test:index:New$test:index:Thing$x:y:Z::z"
    )


def test_an_alias_to_the_old_parent_is_recorded_as_the_old_urn():
    thing = {r.name: r for r in _moved(alias=True)}["thing"]
    assert thing.aliases == ["urn:pulumi:s::p::test:index:Old$test:index:Thing::thing"]
    assert {r.name: r for r in _moved(alias=False)}["thing"].aliases == []
