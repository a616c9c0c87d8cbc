"""`airflow-ha verify`: after `pulumi up`, prove the deployment works, through its api-server.

    airflow-ha verify --stack prod                                   (the Ingress host)
    airflow-ha verify --stack local --url http://127.0.0.1:8080      (a port-forward)

1. ``/api/v2/monitor/health``: the metadatabase, scheduler, triggerer and dag-processor report
   healthy, and every heartbeat is fresher than ``--max-heartbeat-age``.
2. The canary DAG (``canary_dag.py``) is unpaused and triggered; ``verify`` waits for the run, checks
   every task succeeded and that each executor's task log reads back with its marker line, and
   prints how long the run took.

Credentials: ``AIRFLOW_HA_API_TOKEN`` (a JWT), or ``--username`` with ``AIRFLOW_HA_API_PASSWORD``
(or a prompt), exchanged for a token at the api-server's ``/auth/token``.
"""

from __future__ import annotations

import datetime as dt
import os
from typing import Annotated, Any

import typer

from .canary import CANARY_DAG_ID, CANARY_LOG_MARKER
from .context import Output, Stack, StackFilePath, StackName, open_stack
from .errors import Exit, OpsError, bad_input
from .output import Format, Reporter
from .progress import wait_for

TOKEN_ENV = "AIRFLOW_HA_API_TOKEN"
PASSWORD_ENV = "AIRFLOW_HA_API_PASSWORD"
HEALTH_COMPONENTS = {
    "metadatabase": None,
    "scheduler": "latest_scheduler_heartbeat",
    "triggerer": "latest_triggerer_heartbeat",
    "dag_processor": "latest_dag_processor_heartbeat",
}
REQUEST_TIMEOUT_SECONDS = 30


class ApiServer:
    def __init__(self, url: str, token: str | None):
        import requests

        self.url = url.rstrip("/")
        self.session = requests.Session()
        if token:
            self.session.headers["Authorization"] = f"Bearer {token}"

    def call(self, method: str, path: str, *, expect: tuple[int, ...] = (200,), **kwargs: Any) -> Any:
        response = self._request(method, path, expect, **kwargs)
        return response.json() if response.content else None

    def exists(self, path: str) -> bool:
        return self._request("GET", path, (200, 404)).status_code == 200

    def _request(self, method: str, path: str, expect: tuple[int, ...], **kwargs: Any) -> Any:
        response = self.session.request(method, f"{self.url}{path}", timeout=REQUEST_TIMEOUT_SECONDS, **kwargs)
        if response.status_code in (401, 403):
            raise OpsError(
                f"the api-server refused {method} {path} ({response.status_code})",
                f"set {TOKEN_ENV}, or --username with {PASSWORD_ENV}, for a user who may trigger DAGs",
                Exit.ENVIRONMENT,
            )
        if response.status_code not in expect:
            raise OpsError(f"{method} {path} answered {response.status_code}: {response.text[:300]}")
        return response

    def login(self, username: str, password: str) -> None:
        token = self.call("POST", "/auth/token", expect=(200, 201), json={"username": username, "password": password})
        self.session.headers["Authorization"] = f"Bearer {token['access_token']}"


def health_rows(health: dict[str, Any], max_age: float, now: dt.datetime) -> list[list[str]]:
    """One row per component: (component, status, heartbeat age, verdict)."""
    rows = []
    for component, heartbeat_field in HEALTH_COMPONENTS.items():
        entry = health.get(component) or {}
        status = str(entry.get("status"))
        age = "-"
        verdict = "ok" if status == "healthy" else "fail"
        if heartbeat_field is not None:
            beat = entry.get(heartbeat_field)
            if beat is None:
                verdict = "fail"
                age = "never"
            else:
                seconds = (now - dt.datetime.fromisoformat(str(beat).replace("Z", "+00:00"))).total_seconds()
                age = f"{seconds:.0f} s"
                if seconds > max_age:
                    verdict = "fail"
        rows.append([component, status, age, verdict])
    return rows


def default_url(stack: Stack) -> str:
    ingress = stack.config.kubernetes.ingress
    if not ingress.enabled or not ingress.host:
        raise bad_input(
            f"stack '{stack.name}' has no Ingress host to reach the api-server at",
            f"pass --url, e.g. after `kubectl -n {stack.config.kubernetes.namespace} port-forward "
            f"svc/{stack.config.kubernetes.release_name}-api-server 8080:8080`: --url http://127.0.0.1:8080",
        )
    return f"https://{ingress.host}"


def verify(
    url: Annotated[str | None, typer.Option("--url", help="The api-server. Default: the stack's Ingress host.")] = None,
    username: Annotated[str | None, typer.Option("--username", help=f"Log in as this user ({PASSWORD_ENV}).")] = None,
    max_heartbeat_age: Annotated[
        float, typer.Option("--max-heartbeat-age", help="Seconds after which a heartbeat is stale.")
    ] = 90.0,
    timeout: Annotated[float, typer.Option("--timeout", help="Seconds to wait for the canary run.")] = 600.0,
    skip_canary: Annotated[bool, typer.Option("--skip-canary", help="Check health only.")] = False,
    stack: StackName = None,
    stack_file: StackFilePath = None,
    output: Output = Format.text,
) -> None:
    """Check the api-server's health and heartbeats, then run the canary DAG and time it."""
    opened = open_stack(stack, stack_file)
    out = Reporter("verify", output, opened.name)
    api = ApiServer(url or default_url(opened), os.environ.get(TOKEN_ENV))
    rows = health_rows(api.call("GET", "/api/v2/monitor/health"), max_heartbeat_age, dt.datetime.now(dt.UTC))
    out.table("health", f"Health of {api.url}", ["component", "status", "heartbeat age", "verdict"], rows)
    unhealthy = [row[0] for row in rows if row[3] != "ok"]
    if unhealthy:
        out.finish(False, f"not healthy: {', '.join(unhealthy)}")
    if skip_canary:
        out.finish(True, "every component is healthy (canary skipped)")
    if username:
        password = os.environ.get(PASSWORD_ENV) or str(
            typer.prompt(f"Password of {username}", hide_input=True, err=True)
        )
        api.login(username, password)
    seconds, failures = run_canary(api, timeout)
    out.data["canarySeconds"] = round(seconds, 1)
    if failures:
        out.finish(False, f"canary {CANARY_DAG_ID} failed after {seconds:.0f} s: {'; '.join(failures)}")
    out.finish(True, f"healthy; canary {CANARY_DAG_ID} succeeded in {seconds:.1f} s")


def run_canary(api: ApiServer, timeout: float, interval: float = 3.0) -> tuple[float, list[str]]:
    """Trigger the canary and wait; the run's own duration, and what failed."""
    dag_path = f"/api/v2/dags/{CANARY_DAG_ID}"
    wait_for(
        f"the DAG {CANARY_DAG_ID} to be parsed (deploy components/ops/canary_dag.py with the DAGs)",
        lambda: _dag_present(api, dag_path),
        timeout=timeout,
        interval=interval,
    )
    api.call("PATCH", dag_path, json={"is_paused": False})
    run = api.call("POST", f"{dag_path}/dagRuns", json={"logical_date": None}, expect=(200, 201))
    run_path = f"{dag_path}/dagRuns/{run['dag_run_id']}"
    finished, _ = wait_for(
        f"the canary run {run['dag_run_id']}",
        lambda: _run_state(api, run_path),
        timeout=timeout,
        interval=interval,
    )
    failures = []
    instances = api.call("GET", f"{run_path}/taskInstances")["task_instances"]
    for instance in instances:
        if instance["state"] != "success":
            failures.append(f"task {instance['task_id']} ended {instance['state']}")
        elif instance["task_id"].startswith("on_"):
            log = api.call(
                "GET",
                f"{run_path}/taskInstances/{instance['task_id']}/logs/{instance['try_number']}",
                headers={"Accept": "application/json"},
            )
            if CANARY_LOG_MARKER not in str(log):
                failures.append(f"the log of {instance['task_id']} does not read back with its marker line")
    if finished["state"] != "success" and not failures:
        failures.append(f"the run ended {finished['state']}")
    started = dt.datetime.fromisoformat(finished["start_date"].replace("Z", "+00:00"))
    ended = dt.datetime.fromisoformat(finished["end_date"].replace("Z", "+00:00"))
    return (ended - started).total_seconds(), failures


def _dag_present(api: ApiServer, path: str) -> tuple[bool, str, None]:
    present = api.exists(path)
    return present, "parsed" if present else "not parsed yet", None


def _run_state(api: ApiServer, path: str) -> tuple[bool, str, dict[str, Any]]:
    run: dict[str, Any] = api.call("GET", path)
    return run["state"] in ("success", "failed"), str(run["state"]), run
