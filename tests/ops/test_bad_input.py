"""Bad input to `airflow-ha` gives one line saying what to do, a meaningful exit code, no traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from components.ops.errors import Exit
from tests.ops.cli import run

# None unsets the variable for CliRunner.
NO_AWS: dict[str, str | None] = {
    "AWS_ACCESS_KEY_ID": None,
    "AWS_SECRET_ACCESS_KEY": None,
    "AWS_SESSION_TOKEN": None,
    "AWS_PROFILE": None,
    "AWS_CONFIG_FILE": "/nonexistent",
    "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent",
    "AWS_EC2_METADATA_DISABLED": "true",
}


def test_a_missing_stack_names_the_shipped_ones() -> None:
    result = run("status", "--stack", "nosuchstack")
    assert result.exit_code == Exit.BAD_INPUT
    assert result.error_lines == [result.stderr.strip()]
    assert "no stack 'nosuchstack'" in result.stderr
    assert "prod" in result.stderr  # what the operator could have meant


def test_no_stack_at_all_says_which_options_name_one() -> None:
    result = run("status")
    assert result.exit_code == Exit.BAD_INPUT
    assert "--stack NAME or --stack-file PATH" in result.stderr


def test_an_invalid_stack_file_reports_its_keys(tmp_path: Path) -> None:
    stack_file = tmp_path / "Pulumi.broken.yaml"
    stack_file.write_text("config:\n  airflow-ha:tier: production\n  airflow-ha:executor: CeleryExecutor\n")
    result = run("status", "--stack-file", str(stack_file))
    assert result.exit_code == Exit.BAD_INPUT
    assert "airflow-ha:tier" in result.stderr
    assert len(result.error_lines) == 1


def test_a_wrong_region_is_refused_before_any_call(tmp_path: Path) -> None:
    text = (Path(__file__).parents[2] / "stacks" / "Pulumi.prod.yaml").read_text()
    stack_file = tmp_path / "Pulumi.prod.yaml"
    stack_file.write_text(text.replace("region: eu-west-1", "region: eu-west-9"))
    result = run(
        "status", "--stack-file", str(stack_file), env={"AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "y"}
    )
    assert result.exit_code == Exit.BAD_INPUT
    assert "airflow-ha:aws.region 'eu-west-9' is not an AWS region" in result.stderr
    assert "eu-west-1" in result.stderr


def test_no_credentials_is_one_line_in_json_too() -> None:
    result = run("status", "--stack", "prod", "--output", "json", env=NO_AWS)
    assert result.exit_code == Exit.ENVIRONMENT
    assert result.error_lines == [result.stderr.strip()]
    assert "no AWS credentials found" in result.stderr
    assert result.document["ok"] is False
    assert "AWS_PROFILE" in result.document["error"]


@pytest.mark.parametrize("args", [["status", "--stack", "nosuchstack"], ["status", "--stack", "prod"]])
def test_the_real_command_prints_no_traceback(args: list[str]) -> None:
    env = {key: value for key, value in NO_AWS.items() if value is not None}
    completed = subprocess.run(
        [sys.executable, "-m", "components.ops", *args],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", **env},
        cwd=Path(__file__).parents[2],
    )
    assert completed.returncode in (Exit.BAD_INPUT, Exit.ENVIRONMENT)
    assert "Traceback" not in completed.stderr
    assert completed.stderr.startswith("error: ")
    assert len(completed.stderr.strip().splitlines()) == 1
