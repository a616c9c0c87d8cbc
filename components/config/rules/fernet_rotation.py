"""A fernet rotation is stated as a generation number; the current generation cannot be retired."""

from __future__ import annotations

from collections.abc import Iterator

from ..errors import Problem
from ..model import StackConfig
from ..rule import rule


@rule("airflow")
def fernet_retirement_keeps_the_current_key(cfg: StackConfig, _explicit: frozenset[str]) -> Iterator[Problem]:
    generation, retired = cfg.airflow.fernet_key_generation, cfg.airflow.fernet_key_retired_through
    if retired >= generation:
        yield Problem(
            "airflow.fernetKeyRetiredThrough",
            f"is {retired}, which would retire the current key (airflow.fernetKeyGeneration {generation}): "
            f"at most {generation - 1}, and only once `airflow rotate-fernet-key` has run",
        )
