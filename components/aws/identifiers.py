"""Physical names of the AWS resources: pinned, derived from the release and stack, and valid.

Names are pinned rather than auto-suffixed so that nothing renames a stateful resource behind
the operator's back, and so that an operator can find ``airflow-prod-metadata`` in the console.
The strictest rule among the services (RDS: letters, digits and single hyphens, starting with a
letter, not ending with a hyphen) is applied to every name, then each is cut to its service's limit.
"""

from __future__ import annotations

import re

from ..config.model import StackConfig
from ..naming import SERVICE_ACCOUNT_COMPONENTS

_NOT_ALLOWED = re.compile(r"[^a-z0-9-]+")
_HYPHENS = re.compile(r"-{2,}")

# Service limits on the length of a name.
RDS_IDENTIFIER_MAX = 63
ELASTICACHE_GROUP_ID_MAX = 40
S3_BUCKET_MAX = 63
IAM_ROLE_MAX = 64
ACCOUNT_ID_LENGTH = 12


def aws_name(text: str, max_length: int) -> str:
    """``text`` turned into a name every AWS service here accepts, at most ``max_length`` long."""
    name = _HYPHENS.sub("-", _NOT_ALLOWED.sub("-", text.lower())).strip("-")
    if not name[:1].isalpha():
        name = f"a-{name}"
    return name[:max_length].rstrip("-")


class AwsNames:
    """Every physical name of one stack's data plane."""

    def __init__(self, cfg: StackConfig):
        self.base = aws_name(f"{cfg.kubernetes.release_name}-{cfg.stack}", RDS_IDENTIFIER_MAX)
        self.engine_major = cfg.database.engine_version.split(".")[0] if cfg.database else None

    def _name(self, suffix: str, max_length: int) -> str:
        room = max_length - len(suffix) - 1
        return f"{aws_name(self.base, room)}-{suffix}"

    @property
    def database(self) -> str:
        return self._name("metadata", RDS_IDENTIFIER_MAX)

    @property
    def database_final_snapshot(self) -> str:
        return self._name("metadata-final", RDS_IDENTIFIER_MAX)

    @property
    def database_parameter_group(self) -> str:
        """Carries the major version: a major upgrade creates a new group beside the old one."""
        return self._name(f"metadata-postgres{self.engine_major}", RDS_IDENTIFIER_MAX)

    @property
    def database_monitoring_role(self) -> str:
        return self._name("rds-monitoring", IAM_ROLE_MAX)

    @property
    def broker(self) -> str:
        return self._name("broker", ELASTICACHE_GROUP_ID_MAX)

    def logs_bucket(self, account_id: str) -> str:
        """Bucket names are global: the account id keeps two accounts' stacks apart."""
        return f"{self._name('logs', S3_BUCKET_MAX - ACCOUNT_ID_LENGTH - 1)}-{account_id}"

    @property
    def kms_alias(self) -> str:
        return f"alias/{self._name('data', RDS_IDENTIFIER_MAX)}"

    def service_account_role(self, component: str) -> str:
        return self._name(SERVICE_ACCOUNT_COMPONENTS[component], IAM_ROLE_MAX)
