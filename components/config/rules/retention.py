"""The metadata export needs somewhere to go: the logs bucket of an AWS tier."""

from __future__ import annotations

from collections.abc import Iterator

from ..errors import Problem
from ..model import StackConfig
from ..rule import rule


@rule("tier", "metadata_retention")
def metadata_export_has_a_bucket(cfg: StackConfig, _explicit: frozenset[str]) -> Iterator[Problem]:
    retention = cfg.metadata_retention
    if retention.export.enabled and not cfg.on_aws:
        yield Problem(
            "metadataRetention.export.enabled",
            "the export writes to the stack's S3 logs bucket, which only the AWS tiers have; "
            "the 'local' tier allows false",
        )
    if retention.export.enabled and not retention.enabled:
        yield Problem(
            "metadataRetention.export.enabled",
            "exports the rows the cleanup purges, but metadataRetention.enabled is false; enable both or neither",
        )
