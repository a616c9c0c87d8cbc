"""Adopting what a destroyed stack retained needs the keys that encrypt it named explicitly."""

from __future__ import annotations

from collections.abc import Iterator

from ..errors import Problem
from ..model import StackConfig
from ..rule import rule


@rule("database", "logs")
def adoption_names_the_retained_keys(cfg: StackConfig, _explicit: frozenset[str]) -> Iterator[Problem]:
    """The kit's own KMS key of the destroyed stack is retained too, but a new stack cannot find it by
    name (its alias went with the stack): the data it encrypts is adopted only with the key named."""
    if cfg.database is None or not cfg.database.adopt_retained:
        return
    if cfg.database.kms_key_arn is None:
        yield Problem(
            "database.kmsKeyArn",
            "is required with database.adoptRetained: name the KMS key that encrypts the retained database",
        )
    if cfg.logs is not None and cfg.logs.kms_key_arn is None:
        yield Problem(
            "logs.kmsKeyArn", "is required with database.adoptRetained: name the KMS key of the retained logs bucket"
        )
