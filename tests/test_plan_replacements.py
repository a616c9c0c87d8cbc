"""Comparing two plans shows the stateful resources a change would replace or delete."""

from __future__ import annotations

import json

from components.plan.cli import main
from components.plan.replacements import find_replacements

DATABASE_URN = "urn:pulumi:prod::airflow-ha::airflow-ha:aws:MetadataDatabase$aws:rds/instance:Instance::db"
MOVED_URN = "urn:pulumi:prod::airflow-ha::airflow-ha:aws:Stores$aws:rds/instance:Instance::db"


def database(urn: str = DATABASE_URN, aliases: tuple[str, ...] = (), **inputs):
    base = {"identifier": "airflow-prod-metadata", "dbName": "airflow", "username": "airflow", "multiAz": True}
    return {
        "urn": urn,
        "aliases": list(aliases),
        "type": "aws:rds/instance:Instance",
        "name": "db",
        "protect": True,
        "inputs": base | inputs,
    }


def test_in_place_change_is_not_a_replacement():
    assert find_replacements([database()], [database(multiAz=False, instanceClass="db.r6g.2xlarge")]) == []


def test_renamed_database_is_a_protected_replacement():
    [found] = find_replacements([database()], [database(dbName="airflow2")])
    assert found.protected
    assert "dbName" in found.reason
    assert "'airflow2'" in found.reason


def test_any_change_to_a_random_key_replaces_it():
    old = {
        "urn": "urn:pulumi:prod::airflow-ha::random:index/randomId:RandomId::fernet",
        "type": "random:index/randomId:RandomId",
        "name": "fernet",
        "protect": False,
        "inputs": {"byteLength": 32},
    }
    new = {**old, "inputs": {"byteLength": 16}}
    [found] = find_replacements([old], [new])
    assert "byteLength" in found.reason


def test_dropped_stateful_resource_is_a_deletion():
    [found] = find_replacements([database()], [])
    assert found.reason == "would be deleted"


def test_a_resource_moved_to_another_parent_is_a_deletion_without_an_alias():
    """Same type and name, new parent: a new URN, so Pulumi would delete the old one and create this."""
    [found] = find_replacements([database()], [database(urn=MOVED_URN)])
    assert found.reason == "would be deleted"
    assert found.protected


def test_a_moved_resource_that_aliases_its_old_urn_keeps_its_identity():
    assert find_replacements([database()], [database(urn=MOVED_URN, aliases=(DATABASE_URN,))]) == []


def test_an_earlier_plan_without_urns_is_refused_with_what_to_do(tmp_path, capsys):
    assert main(["plan", "--stack", "dev", "--format", "json"]) == 0
    earlier = json.loads(capsys.readouterr().out)
    for resource in earlier["resources"]:
        del resource["urn"]
    assert main(["plan", "--stack", "dev", "--against", _saved(tmp_path, earlier)]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1
    assert "carry no URN" in error
    assert "make it again" in error


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
    assert replacement["type"] == "aws:rds/instance:Instance"
    assert replacement["protect"] is True


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
