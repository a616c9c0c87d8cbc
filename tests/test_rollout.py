"""Every Secret a pod reads at start-up rolls that pod when it changes: rotations reach running pods."""

from __future__ import annotations

from typing import Any

import pytest

from components.config.errors import PROJECT
from components.config.stackfile import StackFile
from components.plan.runner import plan_stack
from components.values.rollout import ANNOTATION, ROLLOUT_GROUPS
from tests.support.chart import compose
from tests.support.integrations import vault_stack, with_everything
from tests.support.paths import SHIPPED_STACKS
from tests.support.stacks import names_of, raw_values, secret_keys_of, shipped_stack, stack


def _secret_names_pods_read(values: dict[str, Any]) -> set[str]:
    data = values.get("data", {})
    names = {data.get(key) for key in ("metadataSecretName", "brokerUrlSecretName", "resultBackendSecretName")}
    names |= {values.get(key) for key in ("fernetKeySecretName", "apiSecretKeySecretName", "jwtSecretName")}
    names |= {entry["secretName"] for entry in values.get("secret", [])}
    names.add(values.get("dags", {}).get("gitSync", {}).get("credentialsSecret"))
    pgbouncer = values.get("pgbouncer", {})
    names |= {pgbouncer.get("configSecretName"), pgbouncer.get("metricsExporterSidecar", {}).get("statsSecretName")}
    names.add(values.get("redis", {}).get("passwordSecretName"))
    return {name for name in names if name}


VARIANTS = {
    **{name: (lambda name=name: shipped_stack(name)) for name in SHIPPED_STACKS},
    "everything-on-aws": lambda: with_everything("prod"),
    "everything-in-kubernetes-secrets": lambda: with_everything("local"),
    "vault-managed": lambda: vault_stack(manage=True),
    "git-sync-with-token": lambda: stack(
        "local", dags={"source": "git-sync", "git": {"url": "https://example.com/d.git"}}, dagsGitToken="t0ken-value"
    ),
}


@pytest.mark.parametrize("variant", VARIANTS)
def test_every_secret_a_pod_reads_is_in_a_rollout_group(variant):
    cfg = VARIANTS[variant]()
    names = names_of(cfg)
    covered = {names.secret(purpose) for purposes in ROLLOUT_GROUPS.values() for purpose in purposes}
    uncovered = _secret_names_pods_read(compose(cfg)) - covered
    assert uncovered == set(), f"pods read these Secrets but never roll when they change: {uncovered}"


def _airflow_checksum(webhook: str) -> str:
    values = raw_values("prod", slack={"enabled": True}, slackWebhookUrl=webhook)
    values = {**values, f"{PROJECT}:secretsBackend": {"type": "none"}}  # the Slack connection is then a Secret
    plan = plan_stack(StackFile("prod", values, frozenset(secret_keys_of(values))))
    return str(plan.chart_values["airflowPodAnnotations"][ANNOTATION])


def test_a_rotated_slack_webhook_rolls_the_airflow_pods():
    first = _airflow_checksum("https://hooks.slack.com/services/T1/B1/first")
    assert first == _airflow_checksum("https://hooks.slack.com/services/T1/B1/first")
    assert first != _airflow_checksum("https://hooks.slack.com/services/T1/B1/second")
