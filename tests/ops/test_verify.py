"""`airflow-ha verify` against real Airflow 3.2.2 components started by the test, with the kit's canary DAG."""

from __future__ import annotations

import ast
import datetime as dt
import json
import shutil
from pathlib import Path

import yaml

from components.ops import canary
from components.ops.errors import Exit
from components.ops.verify import health_rows
from tests.ops.cli import run
from tests.support.airflow import AirflowHome, AirflowProcesses, effective_airflow_config
from tests.support.servers import postgres
from tests.support.stacks import raw_values, stack

SIMPLE_AUTH_MANAGER = "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager"
PASSWORD = "verify-test-password"
RUN_TIMEOUT_SECONDS = 600


def test_verify_checks_health_then_runs_the_canary_on_real_airflow(tmp_path: Path) -> None:
    stack_file = tmp_path / "Pulumi.lab.yaml"
    stack_file.write_text(yaml.safe_dump({"config": raw_values("local")}))
    passwords = tmp_path / "passwords.json"
    passwords.write_text(json.dumps({"admin": PASSWORD}))
    config = effective_airflow_config(stack("local"))
    # One executor is enough here and spares the machine a broker; the canary reads [core] executor.
    config["core"] = {
        **config["core"],
        "executor": "LocalExecutor",
        "auth_manager": SIMPLE_AUTH_MANAGER,
        "simple_auth_manager_users": "admin:admin",
        "simple_auth_manager_passwords_file": str(passwords),
    }
    with postgres(tmp_path / "postgres") as database:
        database.create_database("airflow")
        home = AirflowHome.create(tmp_path / "home", config)
        shutil.copy(canary.CANARY_DAG_FILE, home.dags / canary.CANARY_DAG_FILE.name)
        env = {
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": database.url("airflow"),
            "AIRFLOW__API_AUTH__JWT_SECRET": "verify-test-jwt-secret-of-enough-length-0123456789",
            "AIRFLOW__API__SECRET_KEY": "verify-test-api-secret-key",
            "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "5",
            # The secret the canary reads; in a stack it comes from the secrets backend, here from the
            # environment backend, which Airflow searches the same way.
            f"AIRFLOW_VAR_{canary.CANARY_VARIABLE.upper()}": "canary-secret",
        }
        with AirflowProcesses.for_home(home, **env) as airflow:
            airflow.migrate()
            airflow.start_components("api-server", "scheduler", "dag-processor", "triggerer")
            airflow.wait_for_api_server()
            url = f"http://127.0.0.1:{airflow.api_port}"
            verified = run(
                "verify",
                "--stack-file",
                str(stack_file),
                "--url",
                url,
                "--username",
                "admin",
                "--timeout",
                str(RUN_TIMEOUT_SECONDS),
                "--output",
                "json",
                env={"AIRFLOW_HA_API_PASSWORD": PASSWORD},
            )
            wrong = run(
                "verify",
                "--stack-file",
                str(stack_file),
                "--url",
                url,
                "--username",
                "admin",
                env={"AIRFLOW_HA_API_PASSWORD": "not-the-password"},
            )
            tasks = database.query(
                "airflow", "SELECT task_id, state FROM task_instance WHERE dag_id = %s", canary.CANARY_DAG_ID
            )

    assert verified.exit_code == Exit.OK, verified.stdout + verified.stderr
    document = verified.document
    assert {row["component"]: row["verdict"] for row in document["health"]} == {
        "metadatabase": "ok",
        "scheduler": "ok",
        "triggerer": "ok",
        "dag_processor": "ok",
    }
    assert document["canarySeconds"] >= 5  # at least the deferred wait
    print(f"canary run: {document['canarySeconds']} s")  # the figure verify prints (pytest -s shows it)
    assert dict(tasks) == {
        "deferred_wait": "success",
        "read_secret": "success",
        "on_local": "success",
        "check": "success",
    }
    assert wrong.exit_code == Exit.ENVIRONMENT
    assert "refused POST /auth/token" in wrong.stderr
    assert "Traceback" not in wrong.stderr


def test_a_stale_or_missing_heartbeat_fails_its_component() -> None:
    now = dt.datetime(2026, 12, 2, 12, 0, tzinfo=dt.UTC)
    health = {
        "metadatabase": {"status": "healthy"},
        "scheduler": {"status": "healthy", "latest_scheduler_heartbeat": "2026-12-02T11:59:50+00:00"},
        "triggerer": {"status": "healthy", "latest_triggerer_heartbeat": "2026-12-02T11:57:00+00:00"},
        "dag_processor": {"status": None, "latest_dag_processor_heartbeat": None},
    }
    rows = {row[0]: row for row in health_rows(health, max_age=90, now=now)}
    assert rows["scheduler"][2:] == ["10 s", "ok"]
    assert rows["triggerer"][2:] == ["180 s", "fail"]
    assert rows["dag_processor"][2:] == ["never", "fail"]
    assert rows["metadatabase"][3] == "ok"


def test_the_canary_dag_and_the_command_agree_on_its_names() -> None:
    source = canary.CANARY_DAG_FILE.read_text()
    for name, value in (
        ("CANARY_DAG_ID", canary.CANARY_DAG_ID),
        ("CANARY_VARIABLE", canary.CANARY_VARIABLE),
        ("CANARY_LOG_MARKER", canary.CANARY_LOG_MARKER),
    ):
        assert f'{name} = "{value}"' in source, name
    imported = {
        (node.module or "").split(".")[0] for node in ast.walk(ast.parse(source)) if isinstance(node, ast.ImportFrom)
    } | {
        alias.name.split(".")[0]
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Import)
        for alias in node.names
    }
    assert imported <= {"__future__", "socket", "datetime", "airflow"}  # it runs in the stack's own image


PARSE_CANARY = """
import json
from airflow.dag_processing.dagbag import DagBag
bag = DagBag(dag_folder=DAGS, include_examples=False)
dag = bag.dags["airflow_ha_canary"]
print(json.dumps({
    "errors": {path: str(error) for path, error in bag.import_errors.items()},
    "tasks": {task.task_id: {"executor": task.executor, "upstream": sorted(task.upstream_task_ids),
              "deferrable": bool(getattr(task, "deferrable", False))} for task in dag.tasks},
}))
"""


def test_the_canary_runs_a_task_on_each_executor_of_a_multi_executor_stack(tmp_path: Path) -> None:
    home = AirflowHome.create(tmp_path / "home", {"core": {"executor": "CeleryExecutor,KubernetesExecutor"}})
    shutil.copy(canary.CANARY_DAG_FILE, home.dags / canary.CANARY_DAG_FILE.name)
    parsed = home.python(PARSE_CANARY.replace("DAGS", repr(str(home.dags))))
    assert parsed["errors"] == {}
    tasks = parsed["tasks"]
    assert tasks["on_celery"]["executor"] == "CeleryExecutor"
    assert tasks["on_kubernetes"]["executor"] == "KubernetesExecutor"
    assert tasks["deferred_wait"]["deferrable"]
    assert tasks["on_celery"]["upstream"] == tasks["on_kubernetes"]["upstream"] == ["deferred_wait"]
    assert tasks["check"]["upstream"] == ["on_celery", "on_kubernetes", "read_secret"]  # the XComs it checks


def test_verify_without_a_url_or_ingress_says_how_to_reach_the_api_server() -> None:
    result = run("verify", "--stack", "local")
    assert result.exit_code == Exit.BAD_INPUT
    assert "port-forward" in result.stderr
