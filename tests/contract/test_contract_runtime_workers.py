"""Real Airflow 3.2.2 on the CeleryExecutor with the kit's config: the live log of a running task,
and of a deferred one, is served at the hostname Airflow records for it, and a task whose worker
is SIGKILLed is retried on another worker without a Slack alert, while a failure that will not be
retried still posts one.

The stack is the local tier with Slack on, and the recovery figures shortened so the test waits
for a 30 s heartbeat timeout rather than the tier's; those figures are stack config like any other.
"""

from __future__ import annotations

import ipaddress
import json
import signal
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.support.celery_deployment import CeleryDeployment, celery_deployment
from tests.support.servers import recorder, records
from tests.support.stacks import stack

pytestmark = pytest.mark.contract

HEARTBEAT_TIMEOUT_SECONDS = 30
RUN_TIMEOUT_SECONDS = 300
LIVE_LOG_MARKER = "live-log-marker: the first try is running"

OUTLIVES_ITS_WORKER = textwrap.dedent(
    """
    import time
    from pathlib import Path

    import pendulum
    from airflow.sdk import dag, task

    @dag(schedule=None, start_date=pendulum.datetime(2026, 1, 1), catchup=False)
    def outlives_its_worker():
        @task  # retries: the kit's `[core] default_task_retries`
        def long_job(ti=None):
            if ti.try_number == 1:
                print("LIVE_LOG_MARKER", flush=True)
                Path("first-try-running").write_text(ti.hostname or "")
                time.sleep(600)  # the worker is killed meanwhile
            return ti.try_number

        long_job()

    outlives_its_worker()
    """
).replace("LIVE_LOG_MARKER", LIVE_LOG_MARKER)

FAILS_FOR_GOOD = textwrap.dedent(
    """
    import pendulum
    from airflow.sdk import dag, task

    @dag(schedule=None, start_date=pendulum.datetime(2026, 1, 1), catchup=False)
    def fails_for_good():
        @task(retries=0)
        def broken():
            raise RuntimeError("broken on purpose")

        broken()

    fails_for_good()
    """
)

WAITS_DEFERRED = textwrap.dedent(
    """
    from datetime import timedelta

    import pendulum
    from airflow.providers.standard.triggers.temporal import TimeDeltaTrigger
    from airflow.sdk import BaseOperator, dag

    class WaitDeferred(BaseOperator):
        def execute(self, context):
            self.defer(trigger=TimeDeltaTrigger(timedelta(seconds=600)), method_name="resume")

        def resume(self, context, event=None):
            return None

    @dag(schedule=None, start_date=pendulum.datetime(2026, 1, 1), catchup=False)
    def waits_deferred():
        WaitDeferred(task_id="wait")

    waits_deferred()
    """
)
TRIGGER_LOG_MARKER = "trigger starting"  # TimeDeltaTrigger's first log line

SERVED_LOG = textwrap.dedent(
    """
    import json
    import sys
    from sqlalchemy import select
    from airflow.configuration import conf
    from airflow.models.taskinstance import TaskInstance
    from airflow.utils.log.file_task_handler import FileTaskHandler
    from airflow.utils.session import create_session

    with create_session() as session:
        ti = session.scalar(select(TaskInstance).where(TaskInstance.dag_id == sys.argv[1]))
        handler = FileTaskHandler(base_log_folder=conf.get("logging", "base_log_folder"))
        # What the api-server does for a running or deferred task: ask the log server at the recorded host.
        sources, streams = handler._read_from_logs_server(ti, handler._render_filename(ti, 1, session=session))
        text = "".join(line for stream in streams for line in stream)
        triggerer = ti.triggerer_job.hostname if ti.triggerer_job else None
        print(json.dumps({"hostname": ti.hostname, "triggerer": triggerer, "state": ti.state, "sources": sources,
                          "text": text}))
    """
)


@pytest.fixture(scope="module")
def deployment(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("runtime-workers")
    with recorder(workdir, "slack") as (slack_url, slack_log):
        cfg = stack(
            "local",
            "lab",
            slack={"enabled": True},
            slackWebhookUrl=f"{slack_url}/services/T0/B0/runtime",
            recovery={
                "taskHeartbeatTimeoutSeconds": HEARTBEAT_TIMEOUT_SECONDS,
                "defaultTaskRetries": 1,
                "defaultRetryDelaySeconds": 0,
            },
        )
        dags = {
            "outlives_its_worker": OUTLIVES_ITS_WORKER,
            "fails_for_good": FAILS_FOR_GOOD,
            "waits_deferred": WAITS_DEFERRED,
        }
        with celery_deployment(workdir, cfg, dags, triggerer=True) as running:
            yield running, slack_log


@pytest.fixture(scope="module")
def killed_worker_run(deployment):
    """The first try runs on worker-1, its live log is read, worker-1 is SIGKILLed, worker-2 takes over."""
    running, _ = deployment
    run_id = running.trigger("outlives_its_worker")
    marker = running.home.path / "first-try-running"
    running.airflow.group.wait_for("the first try", marker.exists, RUN_TIMEOUT_SECONDS, interval=1.0)
    served = served_log(running, "outlives_its_worker")
    running.airflow.group.signal("worker-1", signal.SIGKILL)  # the pod dies: worker, supervisor and task
    running.airflow.group.process("worker-1").wait(30)
    running.airflow.group.stop("worker-1")  # reaped already: only forgets it
    running.start_worker("worker-2")
    state = running.wait_for_run("outlives_its_worker", run_id, RUN_TIMEOUT_SECONDS)
    return {"run_id": run_id, "state": state, "served": served}


@pytest.fixture(scope="module")
def deferred_task(deployment):
    """A task deferred to the triggerer, and its log as the triggerer's log server serves it."""
    running, _ = deployment
    run_id = running.trigger("waits_deferred")

    def logged() -> dict | None:
        if running.task_states("waits_deferred", run_id).get("wait") != "deferred":
            return None
        served = served_log(running, "waits_deferred")
        return served if TRIGGER_LOG_MARKER in served["text"] else None

    return running.airflow.group.wait_for("the deferred task's trigger log", logged, RUN_TIMEOUT_SECONDS, 2.0)


def served_log(running: CeleryDeployment, dag_id: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", SERVED_LOG, dag_id],
        env=running.airflow.env,
        cwd=running.home.path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def _this_host_address() -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    return ipaddress.ip_address(socket.gethostbyname(socket.getfqdn()))


def _kit_logs(home: Path) -> str:
    return "\n".join(path.read_text(errors="replace") for path in (home / "logs").rglob("*.log") if path.is_file())


def test_a_running_task_records_the_address_of_its_host(killed_worker_run):
    hostname = killed_worker_run["served"]["hostname"]
    # An address needs no DNS: a pod name would not resolve from the api-server.
    assert ipaddress.ip_address(hostname) == _this_host_address()


def test_the_live_log_is_served_at_the_recorded_hostname(killed_worker_run, deployment):
    running, _ = deployment
    served = killed_worker_run["served"]
    assert served["state"] == "running"
    url = f"http://{served['hostname']}:{running.log_server_port}/log/"
    assert any(source.startswith(url) for source in served["sources"]), served["sources"]
    assert LIVE_LOG_MARKER in served["text"], served


def test_the_triggerer_records_the_address_of_its_host(deferred_task):
    assert ipaddress.ip_address(deferred_task["triggerer"]) == _this_host_address()


def test_a_deferred_task_log_is_served_by_the_triggerer_at_its_recorded_hostname(deferred_task, deployment):
    running, _ = deployment
    assert deferred_task["state"] == "deferred"
    url = f"http://{deferred_task['triggerer']}:{running.trigger_log_server_port}/log/"
    assert any(source.startswith(url) for source in deferred_task["sources"]), deferred_task["sources"]


def test_a_task_whose_worker_died_is_retried_and_succeeds(killed_worker_run, deployment):
    running, _ = deployment
    assert killed_worker_run["state"] == "success", _kit_logs(running.home.path)[-6000:]
    tries = running.query(
        "SELECT try_number, state FROM task_instance_history WHERE dag_id = 'outlives_its_worker' ORDER BY try_number"
    )
    assert tries == [(1, "failed")]
    ((try_number, state),) = running.query(
        "SELECT try_number, state FROM task_instance WHERE dag_id = 'outlives_its_worker'"
    )
    assert (try_number, state) == (2, "success")


@pytest.mark.usefixtures("killed_worker_run")
def test_the_killed_try_posts_no_slack_alert(deployment):
    running, slack_log = deployment
    # The heartbeat-timeout callback runs (in the dag-processor), and holds the alert back: a retry is due.
    held_back = "No Slack alert for long_job: try 1 of 2 will be retried"
    running.airflow.group.wait_for("the failure callback", lambda: held_back in _kit_logs(running.home.path), 120)
    assert records(slack_log) == []


@pytest.mark.usefixtures("killed_worker_run")  # after it: its held-back alert must not be counted here
def test_a_failure_that_will_not_be_retried_posts(deployment):
    running, slack_log = deployment
    run_id = running.trigger("fails_for_good")
    assert running.wait_for_run("fails_for_good", run_id, RUN_TIMEOUT_SECONDS) == "failed"
    posts = running.airflow.group.wait_for("the Slack alert", lambda: records(slack_log), 60)
    assert len(posts) == 1
    text = json.loads(posts[0]["body"])["text"]
    assert "*DAG:* fails_for_good" in text
    assert "*Task:* broken" in text
    assert f"*Run:* {run_id} (try 1)" in text
