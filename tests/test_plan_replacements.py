"""Comparing two plans shows the stateful resources a change would replace or delete."""

from __future__ import annotations

import json

from components.plan.cli import main
from components.plan.replacements import find_replacements


def database(**inputs):
    base = {"identifier": "airflow-prod-metadata", "dbName": "airflow", "username": "airflow", "multiAz": True}
    return {"type": "aws:rds/instance:Instance", "name": "db", "protect": True, "inputs": base | inputs}


def test_in_place_change_is_not_a_replacement():
    assert find_replacements([database()], [database(multiAz=False, instanceClass="db.r6g.2xlarge")]) == []


def test_renamed_database_is_a_protected_replacement():
    [found] = find_replacements([database()], [database(dbName="airflow2")])
    assert found.protected and "dbName" in found.reason and "'airflow2'" in found.reason


def test_any_change_to_a_random_key_replaces_it():
    old = {"type": "random:index/randomId:RandomId", "name": "fernet", "protect": False, "inputs": {"byteLength": 32}}
    new = {**old, "inputs": {"byteLength": 16}}
    [found] = find_replacements([old], [new])
    assert "byteLength" in found.reason


def test_dropped_stateful_resource_is_a_deletion():
    [found] = find_replacements([database()], [])
    assert found.reason == "would be deleted"


def test_cli_compares_against_an_earlier_plan(tmp_path, capsys):
    assert main(["plan", "--stack", "prod", "--format", "json"]) == 0
    earlier = json.loads(capsys.readouterr().out)
    assert main(["plan", "--stack", "prod", "--against", str(_saved(tmp_path, earlier)), "--fail-on-replace"]) == 0
    assert "replaces or deletes:\n  none" in capsys.readouterr().out

    for resource in earlier["resources"]:
        if resource["type"] == "aws:rds/instance:Instance":
            resource["inputs"]["identifier"] = "airflow-prod-metadata-old"
    code = main(
        [
            "plan",
            "--stack",
            "prod",
            "--against",
            str(_saved(tmp_path, earlier)),
            "--fail-on-replace",
            "--format",
            "json",
        ]
    )
    assert code == 3
    [replacement] = json.loads(capsys.readouterr().out)["replacements"]
    assert replacement["type"] == "aws:rds/instance:Instance" and replacement["protect"] is True


def _saved(tmp_path, document) -> str:
    path = tmp_path / "earlier.json"
    path.write_text(json.dumps(document))
    return str(path)


def test_identical_stack_plans_are_stable():
    """Two plans of the same stack agree, so a diff shows only what the change did."""
    assert _plan_document("staging") == _plan_document("staging")


def _plan_document(stack: str) -> dict:
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["plan", "--stack", stack, "--format", "json"]) == 0
    return json.loads(out.getvalue())
