"""The `airflow-ha` command: one typer app, one sub-app per runbook concern.

    airflow-ha preflight --stack prod
    airflow-ha db snapshot --stack prod
    airflow-ha status --stack prod --output json

Each sub-app lives in its own module and is registered here. ``OpsGroup`` turns every error an
operator can fix into one line and an exit code (components/ops/errors.py); anything else is a
bug in the kit and keeps its traceback.
"""

from __future__ import annotations

from typing import Any

import typer
from typer.core import TyperGroup

from . import db, keys, preflight, secrets, status, verify
from .errors import explain
from .output import print_error, reset_reporter


class OpsGroup(TyperGroup):
    def invoke(self, ctx: typer.Context) -> Any:
        reset_reporter()
        try:
            return super().invoke(ctx)
        except Exception as error:
            known = explain(error)  # None for click's own exits and usage errors, and for bugs
            if known is None:
                raise
            print_error(str(known))
            raise typer.Exit(int(known.exit_code)) from None


app = typer.Typer(
    name="airflow-ha",
    cls=OpsGroup,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


@app.callback()
def root() -> None:
    """Day-2 operations of an airflow-ha deployment; the runbooks in docs/runbooks/ call these commands."""


# Commands register here, one line each: app.add_typer(<module>.app) for a group of commands
# (db, secrets, keys), app.command("<name>")(<module>.<function>) for a single one (preflight, status, verify).
app.command("preflight")(preflight.preflight)
app.add_typer(db.app)
app.command("status")(status.status)
app.add_typer(secrets.app)
app.add_typer(keys.app)
app.command("verify")(verify.verify)


def main() -> None:
    app(prog_name="airflow-ha")
