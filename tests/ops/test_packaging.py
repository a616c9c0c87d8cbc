"""The console script the packaging declares is the command the tests drive, and waits report their timeout."""

from __future__ import annotations

import importlib
import tomllib
from pathlib import Path

import pytest

from components.ops.app import main
from components.ops.errors import OpsError
from components.ops.progress import wait_for

REPO = Path(__file__).resolve().parents[2]


def test_the_airflow_ha_script_is_the_ops_app() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())
    module, _, function = project["project"]["scripts"]["airflow-ha"].partition(":")
    assert getattr(importlib.import_module(module), function) is main
    assert project["build-system"]["build-backend"] == "setuptools.build_meta"


def test_a_wait_that_never_ends_names_what_and_the_last_state() -> None:
    with pytest.raises(OpsError, match=r"gave up waiting for snapshot s1 after \d+ s \(last state: backing-up\)"):
        wait_for("snapshot s1", lambda: (False, "backing-up", None), timeout=0.0, interval=0, sleep=lambda _: None)


def test_a_wait_returns_the_last_value_and_the_time() -> None:
    polls = iter([(False, "modifying", 1), (True, "available", 2)])
    value, seconds = wait_for("reboot", lambda: next(polls), timeout=60, interval=0, sleep=lambda _: None)
    assert value == 2
    assert seconds >= 0
