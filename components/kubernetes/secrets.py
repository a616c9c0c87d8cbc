"""A Kubernetes Secret of the kit: every value wrapped as a Pulumi secret."""

from __future__ import annotations

from collections.abc import Mapping

import pulumi
import pulumi_kubernetes as kubernetes


def kit_secret(
    resource_name: str,
    secret_name: str,
    namespace: pulumi.Input[str],
    string_data: Mapping[str, pulumi.Input[str]],
    opts: pulumi.ResourceOptions,
) -> kubernetes.core.v1.Secret:
    return kubernetes.core.v1.Secret(
        resource_name,
        metadata={"name": secret_name, "namespace": namespace, "labels": {"app.kubernetes.io/part-of": "airflow-ha"}},
        type="Opaque",
        string_data={key: pulumi.Output.secret(value) for key, value in string_data.items()},
        opts=opts,
    )
