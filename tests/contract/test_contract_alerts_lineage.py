"""A real ``airflow dags test`` with a failing task: the Slack alert and the OpenLineage events it produces.

Airflow runs with the kit's ``airflow.cfg``, the kit's env vars (chart ``env`` and ``secret``)
and the kit's ``airflow_local_settings.py`` on the path, as the chart mounts it. The DAG has no
callbacks: the Slack alert comes from the cluster policy alone.
"""

from __future__ import annotations

import json
import textwrap
from urllib.parse import quote

import pytest

from tests.support.airflow import AirflowHome, effective_airflow_config, kit_environment
from tests.support.integrations import alerting_config
from tests.support.servers import recorder, records

pytestmark = pytest.mark.contract

DAG_ID = "contract_failing_pipeline"
API_KEY = "contract-openlineage-api-key"
BASE_URL = "https://airflow.lab.example.com"  # [api] base_url, as set for the stack's ingress

FAILING_DAG = textwrap.dedent(
    f'''
    import pendulum
    from airflow.sdk import dag, task

    OWN_CALLBACK_MARK = "own-callback-ran"

    @dag(dag_id="{DAG_ID}", schedule=None, start_date=pendulum.datetime(2026, 1, 1), catchup=False)
    def pipeline():
        @task
        def extract():
            return 42

        @task
        def load(value):
            raise RuntimeError("load failed on purpose")

        load(extract())

        def own_callback(context):
            open(OWN_CALLBACK_MARK, "w").write(context["ti"].task_id)

        @task(on_failure_callback=own_callback)
        def has_own_callback():
            raise RuntimeError("handled by its own callback")

        has_own_callback()

    pipeline()
    '''
)


@pytest.fixture(scope="module")
def failed_run(tmp_path_factory):
    """One ``airflow dags test`` run; yields the Slack and OpenLineage requests it caused."""
    workdir = tmp_path_factory.mktemp("dags-test")
    with (
        recorder(workdir, "slack") as (slack_url, slack_log),
        recorder(workdir, "lineage") as (lineage_url, lineage_log),
    ):
        cfg = alerting_config(f"{slack_url}/services/T0/B0/contract", lineage_url, API_KEY)
        home = AirflowHome.create(workdir / "home", effective_airflow_config(cfg), kit_environment(cfg))
        (home.path / "dags" / "pipeline.py").write_text(FAILING_DAG)

        migrated = home.airflow("db", "migrate")
        assert migrated.returncode == 0, migrated.stderr[-3000:]
        run = home.airflow("dags", "test", DAG_ID, AIRFLOW__API__BASE_URL=BASE_URL)

        yield {
            "run": run,
            "slack": records(slack_log),
            "lineage": records(lineage_log),
            "own_callback_mark": home.path / "own-callback-ran",
        }


def test_the_run_fails_because_of_the_task(failed_run):
    run = failed_run["run"]
    output = run.stdout + run.stderr
    # When the task never ran, the usual cause is a dependency newer than Airflow 3.2.2 supports:
    # its in-process Execution API breaks with fastapi >= 0.156 and svcs >= 26.
    assert "load failed on purpose" in output, output[-4000:]
    assert run.returncode != 0


def test_failed_task_posts_dag_task_run_and_log_link_to_slack(failed_run):
    posts = failed_run["slack"]
    # `extract` succeeded and `has_own_callback` keeps its own callback: one post, for `load`.
    assert len(posts) == 1, failed_run["run"].stderr[-4000:]
    post = posts[0]
    assert post["path"] == "/services/T0/B0/contract"
    text = json.loads(post["body"])["text"]

    assert f"*DAG:* {DAG_ID}" in text
    assert "*Task:* load" in text
    run_id = next(line for line in text.splitlines() if line.startswith("*Run:*")).split()[1]
    assert run_id.startswith("manual__")
    log_link = f"{BASE_URL}/dags/{DAG_ID}/runs/{quote(run_id)}/tasks/load?try_number=1"
    assert f"<{log_link}|" in text


def test_a_task_with_its_own_failure_callback_keeps_it(failed_run):
    assert failed_run["own_callback_mark"].read_text() == "has_own_callback"
    assert not [post for post in failed_run["slack"] if "has_own_callback" in post["body"]]


def test_run_emits_openlineage_events_through_the_kit_transport(failed_run):
    events = [(request, json.loads(request["body"])) for request in failed_run["lineage"]]
    assert events, failed_run["run"].stderr[-4000:]

    for request, event in events:
        assert request["path"] == "/api/v1/lineage"
        assert request["headers"]["Authorization"] == f"Bearer {API_KEY}"
        assert event["job"]["namespace"] == "lab"  # default namespace: the stack name

    kinds = {(event["job"]["name"], event["eventType"]) for _, event in events}
    assert (f"{DAG_ID}.extract", "START") in kinds
    assert (f"{DAG_ID}.extract", "COMPLETE") in kinds
    assert (f"{DAG_ID}.load", "FAIL") in kinds
    assert (DAG_ID, "FAIL") in kinds
