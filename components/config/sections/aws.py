"""The AWS sections: the account's existing network and cluster, and the data stores the kit builds."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, Field

from ..base import Arn, KitModel, PositiveInt


class AwsSection(KitModel):
    region: str = Field(description="AWS region of the VPC and EKS cluster.", pattern=r"^[a-z]{2}(-[a-z]+)+-\d$")
    vpc_id: str = Field(description="Existing VPC the data stores go into.", pattern=r"^vpc-[0-9a-f]+$")
    private_subnet_ids: list[Annotated[str, Field(pattern=r"^subnet-[0-9a-f]+$")]] = Field(
        description="Private subnets (one per AZ) for RDS and ElastiCache. Staging and prod need two or more.",
        min_length=1,
    )
    eks_cluster_name: str = Field(description="Existing EKS cluster Airflow runs on.", min_length=1)
    cluster_security_group_ids: list[Annotated[str, Field(pattern=r"^sg-[0-9a-f]+$")]] | None = Field(
        default=None,
        description="Security groups admitted to RDS and Redis. Default: the EKS cluster security group. With "
        "`aws.securityGroupsForPods` the stores admit only the pods' own group, and the pods carry these next to it.",
    )
    tags: dict[str, str] = Field(default_factory=dict, description="Extra tags on every AWS resource.")
    security_groups_for_pods: bool = Field(
        default=False,
        description="RDS and the Celery broker (ElastiCache or Amazon MQ) admit only a security group the kit gives "
        "Airflow's pods (a VPC CNI "
        "`SecurityGroupPolicy`), instead of every node's. Needs `ENABLE_POD_ENI=true` on the cluster's `aws-node` "
        "DaemonSet and Nitro instance types with trunk ENIs for Airflow's nodes; pods that cannot get a branch "
        "ENI stay Pending. Off in every tier: those are cluster settings the kit does not own (`airflow-ha "
        "preflight` checks them).",
    )


RDS_TRUSTSTORE = "https://truststore.pki.rds.amazonaws.com"
# PostgreSQL role names the kit creates: identifiers that never need quoting, and never the names
# PostgreSQL (pg_*) and RDS (rds*) reserve.
_ROLE_NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
_RESERVED_ROLE_PREFIXES = ("pg_", "rds")


def _check_role_name(value: str) -> str:
    if not _ROLE_NAME.match(value) or value.startswith(_RESERVED_ROLE_PREFIXES):
        raise ValueError(
            f"'{value}' is not a role name the kit creates: 1 to 63 lowercase letters, digits or '_', starting "
            "with a letter, not starting with pg_ or rds (reserved by PostgreSQL and RDS)"
        )
    return value


RoleName = Annotated[str, AfterValidator(_check_role_name)]


class DatabaseRolesSection(KitModel):
    enabled: bool = Field(
        default=True,
        description="Airflow and PgBouncer connect as an application role that owns Airflow's tables and can do "
        "nothing else, and KEDA as a read-only role; the migration Job creates both as the master user. "
        "Off: everything connects as the master user.",
    )
    application: RoleName = Field(
        default="airflow_app", description="The application role: Airflow's schema objects, nothing cluster-wide."
    )
    keda: RoleName = Field(
        default="airflow_keda", description="The read-only role KEDA's scaler queries `task_instance` as."
    )


class DatabaseTlsSection(KitModel):
    mode: Literal["require", "verify-full"] = Field(
        default="verify-full",
        description="libpq `sslmode` to RDS for Airflow, PgBouncer (`server_tls_sslmode`) and the migration Job. "
        "`verify-full` checks the certificate against the RDS CA bundle and the host name; `require` only encrypts.",
    )
    ca_bundle_file: str | None = Field(
        default=None,
        description="PEM file (path from the project directory) of the RDS CA bundle, for deployers without "
        f"internet access. Default: fetched at deploy time from {RDS_TRUSTSTORE}/<region>/<region>-bundle.pem.",
        min_length=1,
    )


class DatabaseSection(KitModel):
    instance_class: str = Field(
        description="RDS instance class; it sets `max_connections`.", pattern=r"^db\.[a-z0-9]+\.[a-z0-9]+$"
    )
    engine_version: str = Field(
        default="16",
        description="PostgreSQL major version (AWS applies minor upgrades in place).",
        pattern=r"^\d+(\.\d+)?$",
    )
    allocated_storage_gb: Annotated[int, Field(ge=20, le=65536)] = Field(description="Initial storage in GiB.")
    max_allocated_storage_gb: Annotated[int, Field(ge=20, le=65536)] = Field(
        description="Storage autoscaling ceiling in GiB."
    )
    multi_az: bool = Field(description="Standby in a second AZ. Required in prod.")
    backup_retention_days: Annotated[int, Field(ge=0, le=35)] = Field(
        description="Automated backup retention. Prod requires at least 7."
    )
    deletion_protection: bool = Field(description="RDS deletion protection. Required in prod.")
    protect: bool = Field(description="Pulumi `protect` and `retainOnDelete` on the instance. Required in prod.")
    performance_insights: bool = Field(description="Performance Insights.")
    monitoring_interval_seconds: Literal[0, 1, 5, 10, 15, 30, 60] = Field(
        description="Enhanced monitoring interval; 0 turns it off."
    )
    kms_key_arn: Arn = Field(default=None, description="KMS key for storage. Default: a key the kit creates.")
    extended_support: bool = Field(
        default=False, description="Allow RDS Extended Support (charged) past end of standard support."
    )
    auto_minor_version_upgrade: bool = Field(
        default=True, description="Let AWS apply minor versions in maintenance windows."
    )
    db_name: str = Field(default="airflow", description="Database name.", pattern=r"^[a-zA-Z][a-zA-Z0-9_]{0,62}$")
    username: str = Field(default="airflow", description="Master user name.", pattern=r"^[a-zA-Z][a-zA-Z0-9_]{0,15}$")
    max_connections: PositiveInt | None = Field(
        default=None,
        description="Override when your parameter group sets `max_connections`. Default: RDS's formula for the class.",
    )
    allow_major_version_upgrade: bool = Field(
        default=False,
        description="Let `pulumi up` move the running database to the new major version in `database.engineVersion`. "
        "Without it a major change is refused before anything changes (docs/runbooks/database-upgrades.md).",
    )
    log_retention_days: Literal[1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827] = Field(
        description="Days the RDS `postgresql` and `upgrade` log groups in CloudWatch keep their logs."
    )
    roles: DatabaseRolesSection = Field(
        default_factory=DatabaseRolesSection, description="Least-privilege database roles for Airflow and KEDA."
    )
    tls: DatabaseTlsSection = Field(
        default_factory=DatabaseTlsSection, description="TLS from the cluster to the database."
    )
    adopt_retained: bool = Field(
        default=False,
        description="Adopt (pulumi import) the database instance, its subnet group, its log groups, the logs "
        "bucket and the fernet key store that a destroyed stack of the same name retained; Airflow then uses the "
        "retained fernet keys. Needs `database.kmsKeyArn` and `logs.kmsKeyArn` naming the retained keys. Keep it "
        "on after the adopting `up`: the stack reads its keys from the store on every `up` "
        "(docs/runbooks/database-protection.md).",
    )


class RedisSection(KitModel):
    node_type: str = Field(description="ElastiCache node type.", pattern=r"^cache\.[a-z0-9]+\.[a-z0-9]+$")
    engine_version: str = Field(default="7.1", description="Redis OSS engine version.")
    num_cache_clusters: Annotated[int, Field(ge=1, le=6)] = Field(
        description="Nodes in the replication group. Prod requires at least 2."
    )
    multi_az: bool = Field(description="Spread nodes across AZs with automatic failover. Required in prod.")
    snapshot_retention_days: Annotated[int, Field(ge=0, le=35)] = Field(description="Daily snapshot retention.")
    kms_key_arn: Arn = Field(
        default=None, description="KMS key for at-rest encryption. Default: a key the kit creates."
    )


# Amazon MQ's deployment modes for RabbitMQ: one broker node, or a three-node cluster across AZs.
RABBITMQ_SINGLE_INSTANCE = "SINGLE_INSTANCE"
RABBITMQ_CLUSTER = "CLUSTER_MULTI_AZ"
DayOfWeek = Literal["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY"]
CloudWatchRetentionDays = Literal[1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827]


class MaintenanceWindow(KitModel):
    day_of_week: DayOfWeek = Field(description="Day the window starts, in capitals (`SUNDAY`).")
    time_of_day: str = Field(
        description="Start of the two-hour window, `HH:MM` in 24-hour time.", pattern=r"^([01]\d|2[0-3]):[0-5]\d$"
    )
    time_zone: str = Field(default="UTC", description="Time zone of `timeOfDay` (`UTC`, `Europe/Paris`).")


class RabbitmqSection(KitModel):
    instance_type: str = Field(
        description="Amazon MQ broker instance type (`mq.m5.large`); `mq.t3.micro` only runs a single instance.",
        pattern=r"^mq\.[a-z0-9]+\.[a-z0-9]+$",
    )
    engine_version: str = Field(
        default="3.13",
        description="RabbitMQ engine version. With `3.13` AWS applies minor versions in the maintenance window.",
        pattern=r"^\d+\.\d+(\.\d+)?$",
    )
    deployment_mode: Literal["SINGLE_INSTANCE", "CLUSTER_MULTI_AZ"] = Field(
        description="`CLUSTER_MULTI_AZ` (three nodes across AZs behind one endpoint; required in prod) or "
        "`SINGLE_INSTANCE`."
    )
    maintenance_window: MaintenanceWindow = Field(
        description="When Amazon MQ may patch and reboot the broker (a cluster restarts one node at a time)."
    )
    log_retention_days: CloudWatchRetentionDays = Field(
        description="Days the broker's `general` log group in CloudWatch keeps its logs."
    )


class LogsSection(KitModel):
    retention_days: PositiveInt = Field(description="Task logs older than this expire from the S3 bucket.")
    kms_key_arn: Arn = Field(default=None, description="KMS key for the bucket. Default: a key the kit creates.")
