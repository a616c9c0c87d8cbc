"""One preflight finding: pass, warn or fail, with the remedy when it is not a pass."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum

from ..errors import explain


class Verdict(StrEnum):
    PASS = "pass"
    WARN = "warn"
    FAIL = "fail"


@dataclass(frozen=True)
class Finding:
    area: str  # aws, network, eks, rds, elasticache, kms, s3, secrets, vault, kubernetes
    check: str
    verdict: Verdict
    detail: str
    remedy: str = ""


def passed(area: str, check: str, detail: str) -> Finding:
    return Finding(area, check, Verdict.PASS, detail)


def warned(area: str, check: str, detail: str, remedy: str) -> Finding:
    return Finding(area, check, Verdict.WARN, detail, remedy)


def failed(area: str, check: str, detail: str, remedy: str) -> Finding:
    return Finding(area, check, Verdict.FAIL, detail, remedy)


def guarded(area: str, check: str, run: Callable[[], Iterator[Finding]]) -> Iterator[Finding]:
    """Runs one group of checks; an SDK error (denied, not found, unreachable) fails that group only."""
    try:
        yield from run()
    except Exception as error:
        known = explain(error)
        if known is None:
            raise
        yield failed(area, check, known.message, known.remedy)
