"""The stack config is a public contract: every key documented, renamed keys still accepted with a warning."""

from __future__ import annotations

import types
import typing

import pytest
from pydantic import BaseModel

from components.config.errors import PROJECT, ConfigError
from components.config.loader import load_stack_config
from components.config.model import StackConfig
from components.config.renames import RENAMED_KEYS, RenamedKey
from tests.support.paths import REPO
from tests.support.stacks import raw_values


def _models(annotation: object) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType, typing.Annotated, list, dict):
        return [model for arg in typing.get_args(annotation) for model in _models(arg)]
    return []


def _every_field(model: type[BaseModel], prefix: str = "") -> list[tuple[str, str | None]]:
    found = []
    for name, field in model.model_fields.items():
        key = f"{prefix}{field.alias or name}"
        found.append((key, field.description))
        for nested in _models(field.annotation):
            found += _every_field(nested, f"{key}.")
    return found


def test_every_config_field_has_a_description():
    undocumented = [key for key, description in _every_field(StackConfig) if not (description or "").strip()]
    assert undocumented == [], f"describe these in the model (docs/configuration.md prints them): {undocumented}"


def test_the_walk_reaches_nested_lists_and_the_secrets():
    keys = {key for key, _ in _every_field(StackConfig)}
    assert "kubernetesExecutor.tolerations.effect" in keys
    assert "secrets.slackWebhookUrl" in keys


RENAMED = RenamedKey(old="database.instanceType", new="database.instanceClass", since="0.2.0", removal="0.4.0")
RENAMED_SECRET = RenamedKey(old="slackWebhook", new="slackWebhookUrl", since="0.2.0", removal="0.4.0")


def _load(values: dict, secret_keys=(), renames=(RENAMED,)):
    warnings: list[str] = []
    cfg = load_stack_config("s", values, secret_keys, warn=warnings.append, renames=renames)
    return cfg, warnings


def test_a_renamed_key_is_still_accepted_with_a_warning_that_names_the_new_key():
    cfg, warnings = _load(raw_values("dev", database={"instanceType": "db.r6g.2xlarge"}))
    assert cfg.database is not None
    assert cfg.database.instance_class == "db.r6g.2xlarge"
    assert warnings == [
        f"{PROJECT}:database.instanceType is renamed to {PROJECT}:database.instanceClass (since 0.2.0); "
        "the old key is accepted until 0.4.0: rename it in the stack file"
    ]


def test_the_new_key_alone_gives_no_warning():
    _, warnings = _load(raw_values("dev", database={"instanceClass": "db.r6g.2xlarge"}))
    assert warnings == []


def test_old_and_new_key_together_are_refused_at_the_old_key():
    with pytest.raises(ConfigError) as raised:
        _load(raw_values("dev", database={"instanceType": "db.r6g.2xlarge", "instanceClass": "db.r6g.large"}))
    [problem] = raised.value.problems
    assert problem.key == "database.instanceType"
    assert "also set" in problem.message


def test_a_problem_in_a_renamed_value_is_reported_at_the_key_the_stack_file_wrote():
    with pytest.raises(ConfigError) as raised:
        _load(raw_values("dev", database={"instanceType": "r6g.2xlarge"}))
    assert [problem.key for problem in raised.value.problems] == ["database.instanceType"]


def test_a_renamed_secret_stays_secret():
    values = raw_values("prod", slack={"enabled": True}, slackWebhook="https://hooks.slack.com/services/T/B/x")
    cfg, warnings = _load(values, secret_keys=[f"{PROJECT}:slackWebhook"], renames=(RENAMED_SECRET,))
    assert cfg.secrets.slack_webhook_url is not None
    assert len(warnings) == 1


def test_every_shipped_rename_is_in_the_changelog_with_its_removal():
    changelog = (REPO / "CHANGELOG.md").read_text()
    for renamed in RENAMED_KEYS:
        assert f"`{renamed.old}` → `{renamed.new}`" in changelog, renamed
        assert renamed.removal in changelog, renamed
