"""A fernet rotation is stated as a generation number; retiring needs a previous generation."""

from __future__ import annotations

from collections.abc import Iterator

from ..errors import Problem
from ..model import StackConfig
from ..rule import rule


@rule("airflow")
def fernet_retirement_has_a_previous_key(cfg: StackConfig, _explicit: frozenset[str]) -> Iterator[Problem]:
    if cfg.airflow.fernet_key_retire_previous and cfg.airflow.fernet_key_generation == 1:
        yield Problem(
            "airflow.fernetKeyRetirePrevious",
            "has nothing to retire at airflow.fernetKeyGeneration 1: raise the generation first, "
            "then retire the previous key once `airflow rotate-fernet-key` has run",
        )
