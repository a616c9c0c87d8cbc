"""The AWS data plane of the AWS tiers (dev, staging, prod): RDS, ElastiCache, S3, IRSA."""

from .alarms import DataStoreAlarms
from .data_plane import AwsDataPlane

__all__ = ["AwsDataPlane", "DataStoreAlarms"]
