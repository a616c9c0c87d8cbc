"""The stack a command works on: ``--stack NAME`` or ``--stack-file PATH``, validated like the program does.

The ops command runs where the stack files are (the kit's checkout); ``--stack prod`` reads
``stacks/Pulumi.prod.yaml`` there. ``secure:`` values cannot be decrypted without Pulumi, so the
secrets the command needs (a Vault token, say) come from the environment, as for the CLIs the
runbooks used before (``VAULT_ADDR``, ``VAULT_TOKEN``, ``AWS_PROFILE``, ``KUBECONFIG``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ..config.errors import ConfigError
from ..config.model import StackConfig
from ..config.stackfile import StackFileError, read_stack_file
from ..naming.aws import AwsNames
from ..validation import validated_stack_config
from .errors import Exit, OpsError, bad_input
from .output import Format

if TYPE_CHECKING:
    import boto3

STACKS_DIR = Path(__file__).resolve().parents[2] / "stacks"

StackName = Annotated[
    str | None,
    typer.Option("--stack", "-s", help="A stack of the kit: stacks/Pulumi.<STACK>.yaml.", show_default=False),
]
StackFilePath = Annotated[
    Path | None, typer.Option("--stack-file", help="Any stack file (Pulumi.<stack>.yaml).", show_default=False)
]
Output = Annotated[Format, typer.Option("--output", "-o", help="text for people, json for scripts.")]


@dataclass(frozen=True)
class Stack:
    """One validated stack and the clients to reach what it describes."""

    config: StackConfig
    path: Path

    @property
    def name(self) -> str:
        return self.config.stack

    @cached_property
    def aws_names(self) -> AwsNames:
        engine = self.config.database.engine_version if self.config.database else "16"
        return AwsNames(self.config.kubernetes.release_name, self.name, engine.split(".")[0])

    @property
    def region(self) -> str:
        if self.config.aws is None:
            raise bad_input(
                f"stack '{self.name}' is a local-tier stack: it has no AWS account",
                "run this command with an AWS-tier stack (dev, staging, prod)",
            )
        return self.config.aws.region

    @cached_property
    def session(self) -> boto3.Session:
        import boto3

        session = boto3.Session(region_name=self.region)
        known = session.get_available_regions("ec2", partition_name=_partition(self.region))
        if known and self.region not in known:
            raise bad_input(
                f"airflow-ha:aws.region '{self.region}' is not an AWS region",
                f"use one of {', '.join(sorted(known))}",
            )
        return session

    def client(self, service: str) -> Any:
        """A boto3 client in the stack's region (``AWS_ENDPOINT_URL`` points it elsewhere, e.g. a test)."""
        return self.session.client(service)


def _partition(region: str) -> str:
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def open_stack(stack: str | None, stack_file: Path | None) -> Stack:
    """The validated stack, or ``OpsError`` naming what is wrong (every config problem at once)."""
    if (stack is None) == (stack_file is None):
        raise bad_input("name the stack", "pass --stack NAME or --stack-file PATH (one of them)")
    path = stack_file if stack_file is not None else STACKS_DIR / f"Pulumi.{stack}.yaml"
    if stack is not None and not path.exists():
        shipped = sorted(p.name.removeprefix("Pulumi.").removesuffix(".yaml") for p in STACKS_DIR.glob("Pulumi.*.yaml"))
        raise bad_input(f"no stack '{stack}' ({path} does not exist)", f"stacks here: {', '.join(shipped)}")
    try:
        stack_file_read = read_stack_file(path)
        config = validated_stack_config(
            stack_file_read.stack, stack_file_read.values, stack_file_read.secret_keys, warn=lambda _: None
        )
    except StackFileError as error:
        raise bad_input(str(error), "pass --stack-file a Pulumi.<stack>.yaml") from None
    except ConfigError as error:
        problems = "; ".join(str(problem) for problem in error.problems)
        raise OpsError(
            f"the stack config is invalid: {problems}",
            "fix those keys (`make plan` shows the same report)",
            Exit.BAD_INPUT,
        ) from None
    return Stack(config, path)
