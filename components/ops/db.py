"""`airflow-ha db`: a manual snapshot, a Multi-AZ failover, and a restore drill of the metadata database.

The instance is the one the program names (``<release>-<stack>-metadata``, components/naming/aws.py).
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import urllib.parse
from typing import Annotated, Any

import typer

from ..naming.kubernetes import Names
from ..values.kit_secrets import CONNECTION, MASTER_CONNECTION
from .alembic_heads import revision_of
from .context import Output, Stack, StackFilePath, StackName, open_stack
from .errors import Exit, OpsError, bad_input, explain, not_found
from .kube import api_client
from .output import Format, Reporter
from .progress import wait_for
from .safety import DryRun, Yes, confirm

app = typer.Typer(name="db", help="The metadata database: snapshot, failover, restore drill.", no_args_is_help=True)

DRILL_TAG = "airflow-ha:restore-drill"
Timeout = Annotated[float, typer.Option("--timeout", help="Seconds to wait for AWS before giving up.")]
Interval = Annotated[float, typer.Option("--poll-interval", help="Seconds between status polls.", hidden=True)]


def _database(stack: Stack) -> tuple[Any, dict[str, Any]]:
    if stack.config.database is None:
        raise bad_input(f"stack '{stack.name}' has no RDS database", "use an AWS-tier stack with a database section")
    rds = stack.client("rds")
    identifier = stack.aws_names.database
    try:
        instance = rds.describe_db_instances(DBInstanceIdentifier=identifier)["DBInstances"][0]
    except rds.exceptions.DBInstanceNotFoundFault:
        raise not_found(
            f"no RDS instance {identifier} in {stack.region}", "run `pulumi up` for the stack first, or check --stack"
        ) from None
    return rds, instance


def _stamp() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")


def _instance_state(rds: Any, identifier: str) -> Any:
    def poll() -> tuple[bool, str, dict[str, Any]]:
        instance = rds.describe_db_instances(DBInstanceIdentifier=identifier)["DBInstances"][0]
        return instance["DBInstanceStatus"] == "available", instance["DBInstanceStatus"], instance

    return poll


@app.command("snapshot")
def snapshot(
    stack: StackName = None,
    stack_file: StackFilePath = None,
    name: Annotated[
        str | None, typer.Option("--name", help="Snapshot identifier. Default: <instance>-manual-<UTC time>.")
    ] = None,
    dry_run: DryRun = False,
    timeout: Timeout = 3600,
    interval: Interval = 15,
    output: Output = Format.text,
) -> None:
    """Take a manual snapshot (before an upgrade) and wait until it is available."""
    opened = open_stack(stack, stack_file)
    out = Reporter("db snapshot", output, opened.name)
    rds, instance = _database(opened)
    identifier = name or f"{instance['DBInstanceIdentifier']}-manual-{_stamp()}"
    out.data["snapshot"] = identifier
    if dry_run:
        out.finish(True, f"dry run: would snapshot {instance['DBInstanceIdentifier']} as {identifier}")
    rds.create_db_snapshot(
        DBSnapshotIdentifier=identifier,
        DBInstanceIdentifier=instance["DBInstanceIdentifier"],
        Tags=[{"Key": "airflow-ha:stack", "Value": opened.name}, {"Key": "airflow-ha:purpose", "Value": "manual"}],
    )

    def poll() -> tuple[bool, str, dict[str, Any]]:
        found = rds.describe_db_snapshots(DBSnapshotIdentifier=identifier)["DBSnapshots"][0]
        progress = f"{found['Status']} {found.get('PercentProgress', 0)}%"
        return found["Status"] == "available", progress, found

    found, seconds = wait_for(f"snapshot {identifier}", poll, timeout=timeout, interval=interval)
    out.data["seconds"] = round(seconds, 1)
    out.finish(True, f"snapshot {identifier} of {found['AllocatedStorage']} GiB is available after {seconds:.0f} s")


@app.command("failover")
def failover(
    stack: StackName = None,
    stack_file: StackFilePath = None,
    dry_run: DryRun = False,
    yes: Yes = False,
    timeout: Timeout = 1800,
    interval: Interval = 10,
    output: Output = Format.text,
) -> None:
    """Reboot the Multi-AZ instance with failover: the standby becomes the primary (tens of seconds of downtime)."""
    opened = open_stack(stack, stack_file)
    out = Reporter("db failover", output, opened.name)
    rds, instance = _database(opened)
    identifier = instance["DBInstanceIdentifier"]
    if not instance.get("MultiAZ"):
        raise OpsError(
            f"{identifier} is not Multi-AZ: there is no standby to fail over to",
            "set airflow-ha:database.multiAz: true and run `pulumi up` first",
            Exit.BAD_INPUT,
        )
    if instance["DBInstanceStatus"] != "available":
        raise OpsError(f"{identifier} is {instance['DBInstanceStatus']}", "wait until it is available, then run again")
    before = instance.get("AvailabilityZone", "?")
    standby = instance.get("SecondaryAvailabilityZone", "the standby")
    out.data["primaryZoneBefore"] = before
    if dry_run:
        out.finish(
            True,
            f"dry run: would reboot {identifier} with failover from {before} to {standby}",
        )
    confirm(f"Fail over {identifier} (primary in {before})? Airflow loses the database for tens of seconds.", yes=yes)
    rds.reboot_db_instance(DBInstanceIdentifier=identifier, ForceFailover=True)
    after, seconds = wait_for(
        f"failover of {identifier}", _instance_state(rds, identifier), timeout=timeout, interval=interval
    )
    out.data.update(primaryZoneAfter=after.get("AvailabilityZone", "?"), seconds=round(seconds, 1))
    out.finish(
        True,
        f"{identifier} is available again after {seconds:.0f} s; primary {before} -> {out.data['primaryZoneAfter']}",
    )


@app.command("restore-drill")
def restore_drill(
    stack: StackName = None,
    stack_file: StackFilePath = None,
    snapshot_id: Annotated[
        str | None, typer.Option("--snapshot", help="Snapshot to restore. Default: the newest.")
    ] = None,
    via: Annotated[
        str | None,
        typer.Option(
            "--via",
            metavar="HOST:PORT",
            help="Reach the restored instance through this address (an SSM or kubectl port-forward) "
            "instead of its endpoint, which resolves only inside the VPC.",
        ),
    ] = None,
    expected_revision: Annotated[
        str | None,
        typer.Option("--expected-revision", help="alembic revision to expect. Default: that of airflow.version."),
    ] = None,
    dry_run: DryRun = False,
    yes: Yes = False,
    timeout: Timeout = 7200,
    interval: Interval = 30,
    output: Output = Format.text,
) -> None:
    """Restore a snapshot to a temporary instance, check its Airflow schema, delete it, print the restore time.

    The password is the database's own: PGPASSWORD, else the one in the release's `<release>-metadata-direct`
    Secret (read with the stack's Kubernetes context).
    """
    opened = open_stack(stack, stack_file)
    out = Reporter("db restore-drill", output, opened.name)
    rds, instance = _database(opened)
    expected = expected_revision or revision_of(opened.config.airflow.version)
    if expected is None:
        raise bad_input(
            f"the kit does not know the schema revision of Airflow {opened.config.airflow.version}",
            "pass --expected-revision (airflow db check-migrations prints it)",
        )
    user, password = _credentials(opened, instance.get("MasterUsername", opened.config.database.username))
    chosen = _snapshot(rds, instance["DBInstanceIdentifier"], snapshot_id)
    drill = f"{instance['DBInstanceIdentifier'][:40]}-drill-{_stamp()}"
    out.data.update(snapshot=chosen["DBSnapshotIdentifier"], drillInstance=drill, expectedRevision=expected)
    if dry_run:
        out.finish(True, f"dry run: would restore {chosen['DBSnapshotIdentifier']} to {drill}, check it, delete it")
    confirm(
        f"Restore {chosen['DBSnapshotIdentifier']} to a temporary instance {drill} (charged while it runs)?", yes=yes
    )
    rds.restore_db_instance_from_db_snapshot(
        DBInstanceIdentifier=drill,
        DBSnapshotIdentifier=chosen["DBSnapshotIdentifier"],
        DBInstanceClass=instance["DBInstanceClass"],
        DBSubnetGroupName=instance.get("DBSubnetGroup", {}).get("DBSubnetGroupName", ""),
        VpcSecurityGroupIds=[group["VpcSecurityGroupId"] for group in instance.get("VpcSecurityGroups", [])],
        MultiAZ=False,
        PubliclyAccessible=False,
        DeletionProtection=False,
        Tags=[{"Key": DRILL_TAG, "Value": opened.name}],
    )
    try:
        restored, seconds = wait_for(
            f"restore to {drill}", _instance_state(rds, drill), timeout=timeout, interval=interval
        )
        out.data["restoreSeconds"] = round(seconds, 1)
        endpoint = restored.get("Endpoint", {})
        host, port = via.rsplit(":", 1) if via else (endpoint.get("Address", ""), str(endpoint.get("Port", 5432)))
        revision = _schema_revision(host, int(port), opened, user, password)
    finally:
        rds.delete_db_instance(DBInstanceIdentifier=drill, SkipFinalSnapshot=True, DeleteAutomatedBackups=True)
    out.data["revision"] = revision
    out.table(
        "drill",
        f"Restore drill of {instance['DBInstanceIdentifier']}",
        ["item", "value"],
        [
            ["snapshot", chosen["DBSnapshotIdentifier"]],
            ["snapshot taken", chosen.get("SnapshotCreateTime")],
            ["restore time", f"{seconds:.0f} s"],
            ["alembic_version", revision],
            ["expected", expected],
            ["temporary instance", f"{drill} (deleted)"],
        ],
    )
    if revision != expected:
        out.finish(
            False,
            f"the restored schema is at {revision}, not {expected} of Airflow {opened.config.airflow.version}; "
            f"restore took {seconds:.0f} s",
        )
    out.finish(True, f"restore took {seconds:.0f} s; the restored database accepts connections at schema {revision}")


def _credentials(stack: Stack, master_user: str) -> tuple[str, str]:
    """Whom the drill connects as: the master user with ``PGPASSWORD``, else the master (or, without
    database roles, the only) connection in the ``<release>-metadata-direct`` Secret of the migration Job."""
    if os.environ.get("PGPASSWORD"):
        return master_user, os.environ["PGPASSWORD"]
    from kubernetes import client

    names = Names(stack.config.kubernetes.release_name, stack.config.kubernetes.namespace)
    secret_name = names.secret("metadata-direct")
    try:
        response = client.CoreV1Api(api_client(stack)).read_namespaced_secret(
            secret_name, names.namespace, _preload_content=False
        )
        data = json.loads(response.data)["data"]
        encoded = data.get(MASTER_CONNECTION) or data[CONNECTION]
    except Exception as error:
        known = explain(error)
        if known is None and not isinstance(error, (KeyError, ValueError)):
            raise
        reason = known.message if known else f"Secret {secret_name} has no `{CONNECTION}` key"
        raise bad_input(
            f"no database password: PGPASSWORD is not set, and {reason}",
            "export PGPASSWORD with the metadata database's master password",
        ) from None
    url = urllib.parse.urlsplit(base64.b64decode(encoded).decode())
    if not url.username or not url.password:
        raise bad_input(
            f"Secret {secret_name} holds no user and password", "export PGPASSWORD with the master password"
        )
    return urllib.parse.unquote(url.username), urllib.parse.unquote(url.password)


def _snapshot(rds: Any, identifier: str, snapshot_id: str | None) -> dict[str, Any]:
    if snapshot_id is not None:
        try:
            return rds.describe_db_snapshots(DBSnapshotIdentifier=snapshot_id)["DBSnapshots"][0]
        except rds.exceptions.DBSnapshotNotFoundFault:
            raise not_found(
                f"no snapshot {snapshot_id}",
                f"aws rds describe-db-snapshots --db-instance-identifier {identifier} lists them",
            ) from None
    snapshots = [
        s
        for page in rds.get_paginator("describe_db_snapshots").paginate(DBInstanceIdentifier=identifier)
        for s in page["DBSnapshots"]
        if s["Status"] == "available"
    ]
    if not snapshots:
        raise not_found(f"{identifier} has no available snapshot", "take one: airflow-ha db snapshot")
    return max(snapshots, key=lambda s: s["SnapshotCreateTime"])


def _schema_revision(host: str, port: int, stack: Stack, user: str, password: str) -> str:
    import psycopg

    db = stack.config.database
    assert db is not None
    try:
        with psycopg.connect(
            host=host,
            port=port,
            dbname=db.db_name,
            user=user,
            password=password,
            connect_timeout=30,
        ) as connection:
            row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except psycopg.OperationalError as error:
        raise OpsError(
            f"the restored instance does not accept connections at {host}:{port}: {str(error).strip().splitlines()[0]}",
            "run the drill where the VPC is reachable, or pass --via HOST:PORT of a port-forward",
            Exit.ENVIRONMENT,
        ) from None
    except psycopg.errors.UndefinedTable:
        raise OpsError("the restored database has no alembic_version table: it is not an Airflow database") from None
    if row is None:
        raise OpsError("the restored alembic_version table is empty")
    return str(row[0])
