"""The kit's Kubernetes Secrets: every value wrapped as a Pulumi secret, and what each holds
remembered for the rollout checksums."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import pulumi
import pulumi_kubernetes as kubernetes

from ..seams import KitSecret
from ..values.rollout import ROLLOUT_GROUPS, content_checksum


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


@dataclass(frozen=True)
class SecretFactory:
    """Creates the release's Secrets as ``<prefix>-<purpose>`` in one namespace, with one set of options."""

    prefix: str
    namespace: pulumi.Input[str]
    opts: pulumi.ResourceOptions

    def create(
        self,
        purpose: str,
        secret_name: str,
        data: Mapping[str, pulumi.Input[str]],
        opts: pulumi.ResourceOptions | None = None,
    ) -> KitSecret:
        options = pulumi.ResourceOptions.merge(self.opts, opts)
        resource = kit_secret(f"{self.prefix}-{purpose}", secret_name, self.namespace, data, options)
        return KitSecret(purpose, resource, data)


def rollout_checksums(secrets: Iterable[KitSecret]) -> pulumi.Output[dict[str, str]]:
    """Per pod group, a checksum of the Secrets its pods read at start-up (see values/rollout.py).
    A one-way hash of random credentials is not secret, so it is unwrapped: the chart values
    stay readable in the plan."""
    by_purpose = {secret.purpose: secret.data for secret in secrets}
    checksums: dict[str, pulumi.Output[str]] = {}
    for group, purposes in ROLLOUT_GROUPS.items():
        parts = [
            pulumi.Output.from_input(by_purpose[purpose][key])
            for purpose in purposes
            if purpose in by_purpose
            for key in sorted(by_purpose[purpose])
        ]
        if parts:
            checksums[group] = pulumi.Output.unsecret(pulumi.Output.all(*parts).apply(content_checksum))
    return pulumi.Output.all(**checksums)
