"""The token of a private DAG repository, as the Git DAG bundle or git-sync reads it."""

from __future__ import annotations

import pulumi

from ..args import DagsGitCredentials
from ..seams import KitSecret
from ..values.dags import GIT_USERNAME, git_connection_json
from ..values.kit_secrets import CONNECTION, GIT_SYNC_PASSWORD_KEYS, GIT_SYNC_USERNAME_KEYS
from .secrets import SecretFactory


def dags_git_secret(credentials: DagsGitCredentials, secrets: SecretFactory) -> KitSecret:
    token = pulumi.Output.secret(credentials.token.get_secret_value())
    data: dict[str, pulumi.Input[str]]
    if credentials.git_sync:
        data = dict.fromkeys(GIT_SYNC_USERNAME_KEYS, GIT_USERNAME)
        data |= dict.fromkeys(GIT_SYNC_PASSWORD_KEYS, token)
    else:
        repo_url = credentials.repo_url
        data = {CONNECTION: token.apply(lambda secret: git_connection_json(repo_url, secret))}
    return secrets.create("dags-git", credentials.secret_name, data)
