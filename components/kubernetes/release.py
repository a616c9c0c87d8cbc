"""The Helm release of the official Apache Airflow chart, with the values the kit composes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pulumi
import pulumi_kubernetes as kubernetes

CHART = "airflow"
RELEASE_TIMEOUT_SECONDS = 900


def airflow_release(
    resource_name: str,
    *,
    release_name: str,
    namespace: pulumi.Input[str],
    chart_version: str,
    chart_repository: str,
    values: pulumi.Input[dict[str, Any]],
    opts: pulumi.ResourceOptions,
    after: Sequence[pulumi.Resource],
) -> kubernetes.helm.v3.Release:
    """The release name is pinned: service-account names, and so the IRSA trust, depend on it."""
    return kubernetes.helm.v3.Release(
        resource_name,
        name=release_name,
        namespace=namespace,
        chart=CHART,
        version=chart_version,
        repository_opts=kubernetes.helm.v3.RepositoryOptsArgs(repo=chart_repository),
        values=values,
        timeout=RELEASE_TIMEOUT_SECONDS,
        opts=pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(depends_on=list(after))),
    )
