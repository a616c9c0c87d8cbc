"""Fixtures shared by every test; helpers live in ``tests/support`` and are imported from there."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.paths import SHIPPED_STACKS


@pytest.fixture(params=SHIPPED_STACKS)
def shipped_stack_name(request: pytest.FixtureRequest) -> str:
    """Each shipped stack in turn."""
    return str(request.param)


@pytest.fixture
def workdir(tmp_path: Path) -> Iterator[Path]:
    """A private folder for the servers and Airflow homes a test starts (their logs stay in it)."""
    return tmp_path
