"""A major PostgreSQL upgrade happens only when the stack says so, and never a downgrade.

RDS refuses a new major version unless ``AllowMajorVersionUpgrade`` is set, and it refuses that
halfway through an apply, after the new major's parameter group exists. So the program looks up
the running instance first (on every preview and update) and refuses a major change the stack
did not allow, before anything changes.
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

RUNBOOK = "docs/runbooks/database-upgrades.md"


def major(version: str) -> int:
    return int(version.split(".", 1)[0])


def major_change_refusal(running: str | None, configured: str, allowed: bool) -> str | None:
    """Why ``configured`` may not replace the ``running`` version (None: it may, or nothing runs yet)."""
    if running is None:
        return None
    was, becomes = major(running), major(configured)
    if becomes < was:
        return (
            f"airflow-ha:database.engineVersion {configured} is older than the running PostgreSQL {running}: "
            "RDS cannot downgrade; restore a snapshot into a new stack instead"
        )
    if becomes > was and not allowed:
        return (
            f"airflow-ha:database.engineVersion {configured} would upgrade the running PostgreSQL {running} to a "
            "new major version: take a snapshot (airflow-ha db snapshot), then set "
            f"airflow-ha:database.allowMajorVersionUpgrade to true and run pulumi up again ({RUNBOOK})"
        )
    return None


def running_engine_version(identifier: str, opts: pulumi.InvokeOutputOptions) -> pulumi.Output[str | None]:
    """The engine version of the instance named ``identifier``, or None when there is none yet."""
    found = aws.rds.get_instances_output(
        filters=[aws.rds.GetInstancesFilterArgs(name="db-instance-id", values=[identifier])], opts=opts
    )

    def version(identifiers: list[str]) -> pulumi.Output[str | None] | None:
        if identifier not in identifiers:
            return None
        return aws.rds.get_instance_output(db_instance_identifier=identifier, opts=opts).engine_version

    return found.instance_identifiers.apply(version)


def checked_engine_version(
    identifier: str, configured: str, allowed: bool, opts: pulumi.InvokeOutputOptions
) -> pulumi.Output[str]:
    """``configured``, once the running instance is known to accept it; else the stack fails, naming the keys."""

    def check(running: str | None) -> str:
        refusal = major_change_refusal(running, configured, allowed)
        if refusal is not None:
            raise pulumi.RunError(refusal)
        return configured

    return running_engine_version(identifier, opts).apply(check)
