"""`airflow-ha secrets`: connections and variables in the stack's secrets backend.

    airflow-ha secrets set-connection my_db --uri - --stack prod      (the URI from stdin, not the shell history)
    airflow-ha secrets set-variable my_key 'a value' --stack prod
    airflow-ha secrets get connection my_db --stack prod
    airflow-ha secrets list --stack prod
    airflow-ha secrets check --stack prod --conn-id my_db

Written exactly where and how the stack's Airflow reads them (``secrets_store.py``). ``check`` reads
back every connection the stack itself needs (the Slack webhook, when Slack alerts are on and the
connection lives in the backend), the variable the canary DAG reads, and any the operator names.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from ..values.secrets_backend import connection_store, secrets_backend
from ..values.slack import SLACK_WEBHOOK_CONN_TYPE
from .canary import CANARY_VARIABLE
from .context import Output, Stack, StackFilePath, StackName, open_stack
from .errors import bad_input
from .output import Format, Reporter
from .safety import DryRun, Yes, confirm
from .secrets_store import (
    Kind,
    SecretStore,
    connection_problem,
    connection_value,
    every_entry,
    masked_connection,
    open_store,
)

app = typer.Typer(
    name="secrets", help="Connections and variables in the stack's secrets backend.", no_args_is_help=True
)

FromStdin = "-"
KindArgument = Annotated[Kind, typer.Argument(help="connection or variable.", case_sensitive=False)]


def _from_stdin(value: str | None) -> str | None:
    return sys.stdin.read().strip() if value == FromStdin else value


@app.command("set-connection")
def set_connection(
    conn_id: Annotated[str, typer.Argument(help="The connection id DAGs use.")],
    uri: Annotated[str | None, typer.Option("--uri", help="The connection as a URI; '-' reads it from stdin.")] = None,
    fields_json: Annotated[
        str | None, typer.Option("--json", help="The connection as JSON fields (conn_type, host, ...); '-': stdin.")
    ] = None,
    stack: StackName = None,
    stack_file: StackFilePath = None,
    output: Output = Format.text,
    dry_run: DryRun = False,
    yes: Yes = False,
) -> None:
    """Write a connection where the stack's Airflow reads it."""
    _write(
        "set-connection",
        "connection",
        conn_id,
        connection_value(_from_stdin(uri), _from_stdin(fields_json)),
        stack,
        stack_file,
        output,
        dry_run,
        yes,
    )


@app.command("set-variable")
def set_variable(
    key: Annotated[str, typer.Argument(help="The variable's key.")],
    value: Annotated[str, typer.Argument(help="Its value; '-' reads it from stdin.")],
    stack: StackName = None,
    stack_file: StackFilePath = None,
    output: Output = Format.text,
    dry_run: DryRun = False,
    yes: Yes = False,
) -> None:
    """Write a variable where the stack's Airflow reads it."""
    _write("set-variable", "variable", key, _from_stdin(value) or "", stack, stack_file, output, dry_run, yes)


def _write(
    command: str,
    kind: Kind,
    key: str,
    value: str,
    stack: str | None,
    stack_file: Path | None,
    output: Format,
    dry_run: bool,
    yes: bool,
) -> None:
    if not key or "/" in key or key != key.strip():
        raise bad_input(f"'{key}' is not a {kind} id Airflow can look up", "use letters, digits, '_', '-' and '.'")
    opened = open_stack(stack, stack_file)
    out = Reporter(command, output, opened.name)
    store = open_store(opened)
    location = store.location(kind, key)
    out.data |= {"kind": kind, "id": key, "location": location, "backend": store.description}
    if dry_run:
        out.finish(True, f"would write {kind} '{key}' to {store.description} {location} (dry run: nothing written)")
    current = store.read(kind, key)
    if current == value:
        out.finish(True, f"{kind} '{key}' at {location} already holds this value; nothing written")
    if current is not None:
        confirm(f"{kind} '{key}' exists at {location}; replace its value?", yes=yes)
    store.write(kind, key, value)
    if store.read(kind, key) != value:
        out.finish(False, f"{kind} '{key}' was written to {location} but reads back different")
    out.finish(True, f"{kind} '{key}' written to {store.description} {location}")


@app.command("get")
def get(
    kind: KindArgument,
    key: Annotated[str, typer.Argument(help="The connection id or variable key.")],
    reveal: Annotated[bool, typer.Option("--reveal", help="Show the connection's password too.")] = False,
    stack: StackName = None,
    stack_file: StackFilePath = None,
    output: Output = Format.text,
) -> None:
    """Read one connection (its password masked unless --reveal) or variable."""
    opened = open_stack(stack, stack_file)
    out = Reporter("get", output, opened.name)
    store = open_store(opened)
    value = store.read(kind, key)
    location = store.location(kind, key)
    out.data |= {"kind": kind, "id": key, "location": location}
    if value is None:
        out.finish(False, f"no {kind} '{key}' at {location} in {store.description}")
    assert value is not None
    shown: object = value if kind == "variable" or reveal else masked_connection(value)
    out.data["value"] = shown
    if not out.json:
        out.console.print(str(shown), markup=False)
    out.finish(True, f"{kind} '{key}' read from {location}")


@app.command("list")
def list_entries(stack: StackName = None, stack_file: StackFilePath = None, output: Output = Format.text) -> None:
    """List the connections and variables under the stack's prefixes."""
    opened = open_stack(stack, stack_file)
    out = Reporter("list", output, opened.name)
    store = open_store(opened)
    rows = [[kind, key, store.location(kind, key)] for kind, key in every_entry(store)]
    out.table("entries", f"{store.description}", ["kind", "id", "location"], rows)
    connections = sum(1 for row in rows if row[0] == "connection")
    out.finish(True, f"{connections} connections and {len(rows) - connections} variables in {store.description}")


@app.command("check")
def check(
    conn_ids: Annotated[
        list[str] | None, typer.Option("--conn-id", help="Another connection the DAGs need (repeatable).")
    ] = None,
    stack: StackName = None,
    stack_file: StackFilePath = None,
    output: Output = Format.text,
) -> None:
    """Read back every connection the stack needs and say which are missing or malformed."""
    opened = open_stack(stack, stack_file)
    out = Reporter("check", output, opened.name)
    store = open_store(opened)
    rows = [_checked(store, kind, key, conn_type, why) for kind, key, conn_type, why in _needed(opened, conn_ids or [])]
    out.table("checks", f"Read back from {store.description}", ["status", "kind", "id", "location", "detail"], rows)
    bad = [f"{row[2]} {row[0]}" for row in rows if row[0] != "ok"]
    out.finish(not bad, f"{len(rows) - len(bad)} of {len(rows)} readable" + (f"; {', '.join(bad)}" if bad else ""))


def _needed(stack: Stack, conn_ids: list[str]) -> list[tuple[Kind, str, str | None, str]]:
    """(kind, id, the connection type required or None, why the stack needs it)."""
    cfg = stack.config
    needed: list[tuple[Kind, str, str | None, str]] = []
    # The kit seeds the Slack connection in the backend (with Vault, only when it manages Vault),
    # otherwise in a Kubernetes Secret the backend never sees.
    if cfg.slack.enabled and connection_store(secrets_backend(cfg)) != "kubernetes":
        needed.append(("connection", cfg.slack.conn_id, SLACK_WEBHOOK_CONN_TYPE, "Slack failure alerts (slack.connId)"))
    needed.append(("variable", CANARY_VARIABLE, None, "the canary DAG's secret read (airflow-ha verify)"))
    needed += [("connection", conn_id, None, "named with --conn-id") for conn_id in conn_ids]
    return needed


def _checked(store: SecretStore, kind: Kind, key: str, conn_type: str | None, why: str) -> list[str]:
    location = store.location(kind, key)
    value = store.read(kind, key)
    if value is None:
        return ["missing", kind, key, location, why]
    if kind == "connection":
        problem = connection_problem(value, conn_type)
        if problem is None and conn_type == SLACK_WEBHOOK_CONN_TYPE and "password" not in masked_connection(value):
            problem = "has no webhook URL (the password field)"
        if problem is not None:
            return ["malformed", kind, key, location, f"{problem} ({why})"]
    return ["ok", kind, key, location, why]
