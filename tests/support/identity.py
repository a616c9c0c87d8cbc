"""The recorded identity (URN) of every resource of the shipped stacks: ``tests/identity/<stack>.urns``.

A URN is what Pulumi tracks a resource by. A refactor that moves a resource to another parent,
or renames a component type, changes its URN: without an ``aliases`` entry naming the old URN,
``pulumi up`` deletes the resource and creates a new one (for a database: data loss). The test
``test_resource_identity.py`` fails when a recorded URN is neither present nor aliased, and when a
new resource is not recorded yet. Record new resources deliberately, in the same change:

    .venv/bin/python -m tests.support.identity
"""

from __future__ import annotations

from components.plan.runner import Plan, plan_stack

from .paths import REPO, SHIPPED_STACKS
from .stacks import shipped

IDENTITY_DIR = REPO / "tests" / "identity"


def recorded_urns(stack_name: str) -> set[str]:
    return set((IDENTITY_DIR / f"{stack_name}.urns").read_text().split())


def shipped_plan(stack_name: str) -> Plan:
    return plan_stack(shipped(stack_name))


def main() -> None:
    for stack_name in SHIPPED_STACKS:
        urns = sorted(resource.urn for resource in shipped_plan(stack_name).resources)
        (IDENTITY_DIR / f"{stack_name}.urns").write_text("\n".join(urns) + "\n")
        print(f"recorded {len(urns)} resources of {stack_name}")


if __name__ == "__main__":
    main()
