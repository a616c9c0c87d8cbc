"""`airflow-ha status`: the deployment on one screen.

The RDS instance (state, Multi-AZ, pending maintenance, storage used), the Redis replication
group (state, primary AZ), the Helm release revision (read from Helm's own release Secrets, so
no helm binary is needed) and the capacity figures the plan derives for the stack.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..tuning.capacity import capacity_report, capacity_summary
from ..tuning.derive import derive_tuning
from .context import Output, Stack, StackFilePath, StackName, open_stack
from .errors import explain
from .kube import api_client
from .output import Format, Reporter

GIB = 1024**3


def status(stack: StackName = None, stack_file: StackFilePath = None, output: Output = Format.text) -> None:
    """Show the database, the broker, the Helm release and the capacity figures of a stack."""
    opened = open_stack(stack, stack_file)
    out = Reporter("status", output, opened.name)
    problems: list[str] = []
    if opened.config.on_aws:
        if opened.config.database is not None:
            out.table("database", f"RDS {opened.aws_names.database}", *_database_rows(opened))
        if opened.config.redis is not None and opened.config.uses_celery:
            out.table("broker", f"ElastiCache {opened.aws_names.broker}", *_broker_rows(opened))
    try:
        release = helm_release(opened)
    except Exception as error:  # the AWS side is still worth showing when the cluster is unreachable
        known = explain(error)
        if known is None:
            raise
        problems.append(f"Helm release: {known}")
        release = None
    if release is not None:
        out.table("release", f"Helm release {opened.config.kubernetes.release_name}", *_release_rows(release))
    elif not problems:
        problems.append(f"no Helm release '{opened.config.kubernetes.release_name}' in the namespace")
    report = capacity_report(opened.config, derive_tuning(opened.config))
    out.data["capacity"] = report
    if not out.json:
        out.console.print("Capacity (from the stack config, as `make plan` shows it)")
        for line in capacity_summary(report):
            out.console.print(f"  {line}", markup=False)
    for problem in problems:
        out.note(f"warning: {problem}")
    out.finish(not problems, f"stack '{opened.name}'" + (f": {'; '.join(problems)}" if problems else ""))


def _database_rows(stack: Stack) -> tuple[list[str], list[list[Any]]]:
    rds = stack.client("rds")
    identifier = stack.aws_names.database
    instance = rds.describe_db_instances(DBInstanceIdentifier=identifier)["DBInstances"][0]
    pending = rds.describe_pending_maintenance_actions(
        Filters=[{"Name": "db-instance-id", "Values": [instance["DBInstanceArn"]]}]
    )["PendingMaintenanceActions"]
    actions = [
        f"{action['Action']} ({action.get('Description', '')})".replace(" ()", "")
        for resource in pending
        for action in resource.get("PendingMaintenanceActionDetails", [])
    ]
    allocated = instance["AllocatedStorage"]
    free = _free_storage_bytes(stack, identifier)
    used = "unknown (no FreeStorageSpace metric yet)" if free is None else f"{allocated - free / GIB:.1f} GiB"
    rows = [
        ["state", instance["DBInstanceStatus"]],
        ["multi-AZ", instance["MultiAZ"]],
        [
            "zone / standby",
            f"{instance.get('AvailabilityZone', '?')} / {instance.get('SecondaryAvailabilityZone', '-')}",
        ],
        ["engine", f"{instance['Engine']} {instance['EngineVersion']}"],
        ["class", instance["DBInstanceClass"]],
        ["storage used", f"{used} of {allocated} GiB (autoscaling to {instance.get('MaxAllocatedStorage', '-')})"],
        ["pending maintenance", ", ".join(actions) or "none"],
    ]
    return ["item", "value"], rows


def _free_storage_bytes(stack: Stack, identifier: str) -> float | None:
    now = dt.datetime.now(dt.UTC)
    points = stack.client("cloudwatch").get_metric_statistics(
        Namespace="AWS/RDS",
        MetricName="FreeStorageSpace",
        Dimensions=[{"Name": "DBInstanceIdentifier", "Value": identifier}],
        StartTime=now - dt.timedelta(minutes=30),
        EndTime=now,
        Period=300,
        Statistics=["Minimum"],
    )["Datapoints"]
    if not points:
        return None
    return float(max(points, key=lambda p: p["Timestamp"])["Minimum"])  # the newest figure


def _broker_rows(stack: Stack) -> tuple[list[str], list[list[Any]]]:
    group = stack.client("elasticache").describe_replication_groups(ReplicationGroupId=stack.aws_names.broker)[
        "ReplicationGroups"
    ][0]
    members = [
        member for node_group in group.get("NodeGroups", []) for member in node_group.get("NodeGroupMembers", [])
    ]
    primary = next((m for m in members if m.get("CurrentRole") == "primary"), None)
    rows = [
        ["state", group["Status"]],
        ["multi-AZ", group.get("MultiAZ", "-")],
        ["automatic failover", group.get("AutomaticFailover", "-")],
        ["primary AZ", primary.get("PreferredAvailabilityZone", "?") if primary else "unknown"],
        ["nodes", len(group.get("MemberClusters", []))],
    ]
    return ["item", "value"], rows


def helm_release(stack: Stack) -> dict[str, Any] | None:
    """The newest revision of the release, from Helm's Secrets ``sh.helm.release.v1.<release>.v<N>``."""
    from kubernetes import client

    core = client.CoreV1Api(api_client(stack))
    release = stack.config.kubernetes.release_name
    secrets = core.list_namespaced_secret(
        stack.config.kubernetes.namespace, label_selector=f"owner=helm,name={release}"
    ).items
    revisions = [
        (int(secret.metadata.labels.get("version", 0)), secret.metadata.labels.get("status", "unknown"), secret)
        for secret in secrets
    ]
    if not revisions:
        return None
    version, state, secret = max(revisions, key=lambda r: r[0])
    return {
        "revision": version,
        "status": state,
        "secret": secret.metadata.name,
        "updated": secret.metadata.labels.get("modifiedAt") or str(secret.metadata.creation_timestamp),
    }


def _release_rows(release: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
    return ["item", "value"], [[key, value] for key, value in release.items()]
