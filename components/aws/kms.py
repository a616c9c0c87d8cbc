"""The KMS key the kit creates for the data stores that do not name their own key, and for the
Secrets Manager secrets it writes."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from ..naming.aws import AwsNames


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
