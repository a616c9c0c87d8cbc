"""Build stack config values in the shape of a stack file, for tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from components.config.errors import PROJECT
from components.config.stackfile import StackFile, read_stack_file

REPO = Path(__file__).resolve().parents[1]

AWS_SECTION = {
    "region": "eu-west-1",
    "vpcId": "vpc-0123456789abcdef0",
    "privateSubnetIds": ["subnet-0aaa1111bbbb22220", "subnet-0aaa1111bbbb22221"],
    "eksClusterName": "platform",
}


def values(tier: str, **sections: Any) -> dict[str, Any]:
    """Config values of a stack of ``tier``: an AWS section where the tier needs one, plus ``sections``."""
    result: dict[str, Any] = {f"{PROJECT}:tier": tier}
    if tier != "local":
        result[f"{PROJECT}:aws"] = AWS_SECTION
    result.update({f"{PROJECT}:{key}": value for key, value in sections.items()})
    return result


def shipped(stack: str) -> StackFile:
    return read_stack_file(REPO / "stacks" / f"Pulumi.{stack}.yaml")
