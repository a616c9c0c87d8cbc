"""Event sources and XCom object storage: what S3 and SQS would refuse, caught before anything is built."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import combinations

from .. import name_syntax
from ..errors import Problem
from ..model import StackConfig
from ..rule import rule
from ..sections.events import EventSource


def events_overlap(first: str, second: str) -> bool:
    """``s3:ObjectCreated:*`` covers ``s3:ObjectCreated:Put``; S3 judges overlap the same way."""

    def covers(wide: str, narrow: str) -> bool:
        return wide == narrow or (wide.endswith(":*") and narrow.startswith(wide[:-1]))

    return covers(first, second) or covers(second, first)


def filters_overlap(first: EventSource, second: EventSource) -> bool:
    """Two notifications of one bucket overlap when one key could match both (S3 then refuses both)."""
    prefixes = first.prefix.startswith(second.prefix) or second.prefix.startswith(first.prefix)
    suffixes = first.suffix.endswith(second.suffix) or second.suffix.endswith(first.suffix)
    events = any(events_overlap(a, b) for a in first.events for b in second.events)
    return first.bucket == second.bucket and prefixes and suffixes and events


@rule("tier", "events")
def event_sources_are_deliverable(cfg: StackConfig, _explicit: frozenset[str]) -> Iterator[Problem]:
    sources = cfg.events.sources
    if sources and not cfg.on_aws:
        yield Problem(
            "events.sources",
            "needs SQS and S3 notifications, which the local tier does not have; declare event sources in an AWS "
            "tier (dev, staging, prod)",
        )
        return
    seen: dict[str, int] = {}
    for index, source in enumerate(sources):
        if source.name in seen:
            yield Problem(
                f"events.sources[{index}].name",
                f"'{source.name}' is already the name of events.sources[{seen[source.name]}]; each source names "
                "its own queue",
            )
        seen.setdefault(source.name, index)
        broken = name_syntax.s3_bucket(source.bucket)
        if broken:
            yield Problem(f"events.sources[{index}].bucket", f"'{source.bucket}' {broken}")
    for (i, first), (j, second) in combinations(enumerate(sources), 2):
        if filters_overlap(first, second):
            yield Problem(
                f"events.sources[{j}]",
                f"overlaps events.sources[{i}] ('{first.name}'): both notify on bucket '{first.bucket}' for keys "
                f"under '{second.prefix}' and '{first.prefix}' with overlapping events, which S3 refuses; give them "
                "prefixes (or suffixes) that do not contain each other, or events that do not overlap",
            )


@rule("tier", "xcom")
def xcom_object_storage_has_a_bucket(cfg: StackConfig, _explicit: frozenset[str]) -> Iterator[Problem]:
    storage = cfg.xcom.object_storage
    if not storage.enabled:
        return
    if storage.bucket is None and not cfg.on_aws:
        yield Problem(
            "xcom.objectStorage.bucket",
            "is required when xcom.objectStorage.enabled is true in the local tier, which has no kit bucket: name an "
            "S3-compatible bucket, or set xcom.objectStorage.enabled to false",
        )
    if storage.bucket is not None:
        broken = name_syntax.s3_bucket(storage.bucket)
        if broken:
            yield Problem("xcom.objectStorage.bucket", f"'{storage.bucket}' {broken}")
