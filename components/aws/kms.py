"""The KMS key the kit creates for the data stores that do not name their own key."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from ..config.model import StackConfig
from .identifiers import AwsNames


def needs_kit_key(cfg: StackConfig) -> bool:
    """A kit key is created when a store has no key of its own in config, or when Airflow's
    secrets live in Secrets Manager (their key is always the kit's)."""
    assert cfg.database is not None and cfg.logs is not None
    unkeyed = [cfg.database.kms_key_arn is None, cfg.logs.kms_key_arn is None]
    if cfg.uses_celery:
        assert cfg.redis is not None
        unkeyed.append(cfg.redis.kms_key_arn is None)
    return any(unkeyed) or cfg.secrets_backend.type == "aws-secrets-manager"


def kit_key(name: str, names: AwsNames, *, protect: bool, opts: pulumi.ResourceOptions) -> aws.kms.Key:
    """Rotated yearly; the default key policy (the account's IAM decides) so the IRSA roles'
    own policies grant its use. Losing the key loses every backup and log it encrypted, so it
    is protected and retained with the database."""
    key = aws.kms.Key(
        name,
        description=f"Airflow data plane of {names.base}: metadata database, broker, task logs, secrets",
        enable_key_rotation=True,
        deletion_window_in_days=30,
        opts=pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(protect=protect, retain_on_delete=protect)),
    )
    aws.kms.Alias(f"{name}-alias", name=names.kms_alias, target_key_id=key.key_id, opts=opts)
    return key
