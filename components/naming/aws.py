"""Physical names of the AWS resources: pinned, derived from the release and stack, and valid.

Names are pinned rather than auto-suffixed so that nothing renames a stateful resource behind
the operator's back, and so that an operator can find ``airflow-prod-metadata`` in the console.
The strictest rule among the services (RDS: letters, digits and single hyphens, starting with a
letter, not ending with a hyphen) is applied to every name, then each is cut to its service's limit.
"""

from __future__ import annotations

import re

from ..config.registry import Component

# Key prefix of task logs in the logs bucket: Airflow's `remote_base_log_folder` is
# `s3://<bucket>/<LOGS_PREFIX>`, and the IRSA policies grant exactly that prefix.
LOGS_PREFIX = "logs"

_NOT_ALLOWED = re.compile(r"[^a-z0-9-]+")
_HYPHENS = re.compile(r"-{2,}")

# Service limits on the length of a name.
RDS_IDENTIFIER_MAX = 63
ELASTICACHE_GROUP_ID_MAX = 40
S3_BUCKET_MAX = 63
IAM_ROLE_MAX = 64
SNS_TOPIC_MAX = 256
SQS_QUEUE_MAX = 80
ACCOUNT_ID_LENGTH = 12


def aws_name(text: str, max_length: int) -> str:
    """``text`` turned into a name every AWS service here accepts, at most ``max_length`` long."""
    name = _HYPHENS.sub("-", _NOT_ALLOWED.sub("-", text.lower())).strip("-")
    if not name[:1].isalpha():
        name = f"a-{name}"
    return name[:max_length].rstrip("-")


class AwsNames:
    """Every physical name of one stack's data plane: ``<release>-<stack>-<purpose>``."""

    def __init__(self, release: str, stack: str, engine_major: str):
        self.base = aws_name(f"{release}-{stack}", RDS_IDENTIFIER_MAX)
        self.engine_major = engine_major

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
    def pods(self) -> str:
        """The security group of Airflow's pods (``aws.securityGroupsForPods``)."""
        return self._name("pods", RDS_IDENTIFIER_MAX)

    @property
    def broker(self) -> str:
        return self._name("broker", ELASTICACHE_GROUP_ID_MAX)

    def logs_bucket(self, account_id: str) -> str:
        """Bucket names are global: the account id keeps two accounts' stacks apart."""
        return f"{self._name('logs', S3_BUCKET_MAX - ACCOUNT_ID_LENGTH - 1)}-{account_id}"

    @property
    def fernet_key_store(self) -> str:
        """The Secrets Manager secret that keeps every fernet key of the stack (outside any prefix
        Airflow's secrets backend reads)."""
        return f"airflow-ha/{self.base}/fernet-keys"

    @property
    def kms_alias(self) -> str:
        return f"alias/{self._name('data', RDS_IDENTIFIER_MAX)}"

    @property
    def metadata_export_role(self) -> str:
        return self._name("database-cleanup", IAM_ROLE_MAX)

    @property
    def alarms(self) -> str:
        """The alarm topic, its key's alias and the AWS Chatbot channel configuration."""
        return self._name("alarms", SNS_TOPIC_MAX)

    @property
    def chatbot_role(self) -> str:
        return self._name("chatbot", IAM_ROLE_MAX)

    def event_queue(self, source: str) -> str:
        return self._name(f"events-{source}", SQS_QUEUE_MAX)

    def event_dead_letter_queue(self, source: str) -> str:
        return self._name(f"events-{source}-dlq", SQS_QUEUE_MAX)

    def service_account_role(self, component: Component) -> str:
        return self._name(component.label, IAM_ROLE_MAX)
