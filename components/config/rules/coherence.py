"""Keys that only make sense together: executor sections, integration secrets, the secrets backend, DAG sources."""

from __future__ import annotations

from collections.abc import Iterator

from ..errors import Problem
from ..model import StackConfig
from ..rule import rule


@rule("executor")
def executor_sections_agree(cfg: StackConfig, explicit: frozenset[str]) -> Iterator[Problem]:
    if not cfg.uses_celery:
        for section in ("celery", "redis"):
            if section in explicit:
                yield Problem(
                    section,
                    f"configures a Celery broker or workers, but executor is '{cfg.executor}'. "
                    "Remove it, or use executor 'CeleryExecutor' or 'CeleryExecutor,KubernetesExecutor'",
                )
    if not cfg.uses_kubernetes_executor and "kubernetesExecutor" in explicit:
        yield Problem(
            "kubernetesExecutor",
            f"configures KubernetesExecutor task pods, but executor is '{cfg.executor}'. "
            "Remove it, or use executor 'KubernetesExecutor' or 'CeleryExecutor,KubernetesExecutor'",
        )


@rule("slack", "openlineage")
def integrations_have_what_they_need(cfg: StackConfig, _explicit: frozenset[str]) -> Iterator[Problem]:
    if cfg.slack.enabled and cfg.secrets.slack_webhook_url is None:
        yield Problem(
            "slackWebhookUrl",
            "is required when slack.enabled is true: pulumi config set --secret slackWebhookUrl <url>",
        )
    if cfg.openlineage.enabled and not cfg.openlineage.url:
        yield Problem(
            "openlineage.url", "is required when openlineage.enabled is true (the Marquez-compatible API base URL)"
        )
    if not cfg.openlineage.enabled and cfg.secrets.openlineage_api_key is not None:
        yield Problem("openlineageApiKey", "is set but openlineage.enabled is false; remove it or enable OpenLineage")


@rule("secrets_backend", "vault")
def secrets_backend_has_what_it_needs(cfg: StackConfig, explicit: frozenset[str]) -> Iterator[Problem]:
    uses_vault = cfg.secrets_backend.type == "vault"
    if uses_vault and cfg.secrets.vault_address is None:
        yield Problem(
            "vaultAddress",
            "is required when secretsBackend.type is 'vault': pulumi config set --secret vaultAddress https://...",
        )
    if uses_vault and cfg.vault.manage and cfg.secrets.vault_token is None:
        yield Problem(
            "vaultToken", "is required when vault.manage is true: pulumi config set --secret vaultToken <token>"
        )
    if not uses_vault:
        if "vault" in explicit:
            yield Problem(
                "vault",
                f"configures Vault, but secretsBackend.type is '{cfg.secrets_backend.type}'; "
                "set it to 'vault' or remove this key",
            )
        for key in ("vaultAddress", "vaultToken"):
            if key in explicit:
                yield Problem(
                    key,
                    f"is set, but secretsBackend.type is '{cfg.secrets_backend.type}'; "
                    "set it to 'vault' or remove this key",
                )


@rule("dags")
def dag_source_is_complete(cfg: StackConfig, _explicit: frozenset[str]) -> Iterator[Problem]:
    source = cfg.dags.source
    if source in ("git-bundle", "git-sync") and cfg.dags.git is None:
        yield Problem("dags.git", f"is required when dags.source is '{source}' (url, ref)")
    if source == "s3-bundle" and cfg.dags.s3 is None:
        yield Problem("dags.s3", "is required when dags.source is 's3-bundle' (bucket, prefix)")
    if source not in ("git-bundle", "git-sync") and cfg.dags.git is not None:
        yield Problem("dags.git", f"is set, but dags.source is '{source}'; it applies to 'git-bundle' and 'git-sync'")
    if source != "s3-bundle" and cfg.dags.s3 is not None:
        yield Problem("dags.s3", f"is set, but dags.source is '{source}'; it applies to 's3-bundle'")
    if cfg.secrets.dags_git_token is not None and source not in ("git-bundle", "git-sync"):
        yield Problem(
            "dagsGitToken",
            f"is set, but dags.source is '{source}'; it is the Git credential for 'git-bundle' and 'git-sync'",
        )
