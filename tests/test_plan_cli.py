"""The offline plan: its JSON contract, its exit codes, and every shipped stack planning cleanly."""

from __future__ import annotations

import json
import subprocess
import sys

import pulumi
import pytest

from components.config.errors import PROJECT
from components.config.stackfile import StackFile
from components.plan.cli import main
from components.plan.engine import KitMocks, run_under_mocks
from components.plan.runner import plan_stack
from components.program import main as program
from tests.support.paths import REPO, SHIPPED_STACKS
from tests.support.stacks import raw_values

SENTINELS = {
    "slackWebhookUrl": "https://hooks.example.com/services/SENTINEL-WEBHOOK-7f3a",
    "openlineageApiKey": "SENTINEL-LINEAGE-KEY-91be",
    "dagsGitToken": "SENTINEL-GIT-TOKEN-c0de",
}


def plan_json(capsys, *argv: str) -> dict:
    assert main(["plan", *argv, "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("stack", SHIPPED_STACKS)
def test_every_shipped_stack_plans_cleanly(stack, capsys):
    document = plan_json(capsys, "--stack", stack)
    assert document["stack"] == stack
    types = {resource["type"] for resource in document["resources"]}
    assert "kubernetes:helm.sh/v3:Release" in types
    assert ("aws:rds/instance:Instance" in types) == (stack != "local")


def test_json_contract(capsys):
    document = plan_json(capsys, "--stack", "prod")
    assert set(document) == {"stack", "warnings", "resources", "airflowConfig", "chartValues", "capacity"}
    assert document["warnings"] == []
    names = {resource["name"] for resource in document["resources"]}
    urns = [resource["urn"] for resource in document["resources"]]
    assert len(set(urns)) == len(urns), "a URN names one resource"
    for resource in document["resources"]:
        assert {"urn", "aliases", "type", "name", "parent", "inputs", "protect", "dependsOn"} <= set(resource)
        assert resource["urn"].startswith("urn:pulumi:prod::airflow-ha::")
        assert resource["urn"].endswith(f"{resource['type']}::{resource['name']}")
        assert isinstance(resource["inputs"], dict)
        assert isinstance(resource["protect"], bool)
        assert resource["parent"] is None or resource["parent"] in names
        assert set(resource["dependsOn"]) <= names
    database = next(r for r in document["resources"] if r["type"] == "aws:rds/instance:Instance")
    assert database["protect"] is True
    assert database["inputs"]["multiAz"] is True
    assert document["airflowConfig"]["core"]["executor"] == "CeleryExecutor"
    assert document["chartValues"]["executor"] == "CeleryExecutor"
    assert document["airflowConfig"] == document["chartValues"]["config"]
    assert document["capacity"], "the capacity report is part of the contract"


def test_no_secret_reaches_the_plan_in_plaintext():
    config = raw_values(
        "staging",
        slack={"enabled": True},
        openlineage={"enabled": True, "url": "https://lineage.example.com"},
        dags={"source": "git-bundle", "git": {"url": "https://git.example.com/dags.git"}},
        **SENTINELS,
    )
    secret_keys = frozenset(f"{PROJECT}:{key}" for key in SENTINELS)
    plan = plan_stack(StackFile("staging", config, secret_keys))
    document = json.dumps(plan.as_json())
    for sentinel in SENTINELS.values():
        assert sentinel not in document
    assert "[secret]" in document


def test_invalid_stack_file_exits_2_with_every_problem_on_stderr(tmp_path, capsys):
    stack_file = tmp_path / "Pulumi.broken.yaml"
    stack_file.write_text(
        f"config:\n"
        f"  {PROJECT}:tier: prod\n"
        f"  {PROJECT}:executor: DaskExecutor\n"
        f"  {PROJECT}:scheduler:\n    replicas: 1\n"
        f"  {PROJECT}:databse:\n    multiAz: true\n"
    )
    assert main(["plan", "--stack-file", str(stack_file)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    for key in ("executor", "scheduler.replicas", "databse", "aws"):
        assert f"{PROJECT}:{key}:" in captured.err


def test_missing_stack_file_exits_2(capsys):
    assert main(["plan", "--stack", "no-such-stack"]) == 2
    assert "no such stack file" in capsys.readouterr().err


class CountingMocks(KitMocks):
    def __init__(self):
        super().__init__()
        self.created: list[str] = []

    def new_resource(self, args):
        self.created.append(args.name)
        return super().new_resource(args)


def test_invalid_config_creates_nothing():
    mocks = CountingMocks()
    with pytest.raises(pulumi.RunError) as raised:
        run_under_mocks(
            program, project=PROJECT, stack="bad", config=raw_values("prod", scheduler={"replicas": 1}), mocks=mocks
        )
    assert f"{PROJECT}:scheduler.replicas" in str(raised.value)
    assert mocks.created == []


def test_secure_values_become_placeholders(capsys):
    document = plan_json(capsys, "--stack", "prod")
    assert "REPLACE-WITH" not in json.dumps(document)


def test_text_summary_shows_resources_config_and_capacity(capsys):
    assert main(["plan", "--stack", "prod"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("Stack prod: tier prod, executor CeleryExecutor")
    assert "aws:rds/instance:Instance" in text
    assert "[protect]" in text
    assert "[core] executor = CeleryExecutor" in text
    assert "Capacity:" in text


def test_module_entry_point_runs_in_a_fresh_process():
    result = subprocess.run(
        [sys.executable, "-m", "components", "plan", "--stack", "local", "--format", "json"],
        cwd=REPO,
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["stack"] == "local"
