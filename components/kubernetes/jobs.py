"""The kit's one-shot Jobs as resources: the migration Job, and the local tier's admin user.

Pulumi waits for a Job to complete, and the Helm release depends on the migration Job, so the
database is migrated exactly once per version, before any new pod needs the schema (the
manifests and why: ``values/jobs.py`` and docs/adr/0001).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pulumi
import pulumi_kubernetes as kubernetes

JOB_TIMEOUT = "30m"


def one_shot_job(
    resource_name: str,
    manifest: dict[str, Any],
    namespace: pulumi.Input[str],
    opts: pulumi.ResourceOptions,
    after: Sequence[pulumi.Resource],
) -> kubernetes.batch.v1.Job:
    """``after``: what the Job waits for, on top of what ``opts`` already names."""
    metadata = {**manifest["metadata"], "namespace": namespace}
    return kubernetes.batch.v1.Job(
        resource_name,
        metadata=metadata,
        spec=manifest["spec"],
        opts=pulumi.ResourceOptions.merge(
            opts,
            pulumi.ResourceOptions(
                depends_on=list(after),
                # The name is fixed by the version: a replacement must remove the old Job first.
                delete_before_replace=True,
                custom_timeouts=pulumi.CustomTimeouts(create=JOB_TIMEOUT, update=JOB_TIMEOUT),
            ),
        ),
    )
