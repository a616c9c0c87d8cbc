"""The AWS data plane of the AWS tiers (dev, staging, prod): RDS, ElastiCache, S3, IRSA."""

from .data_plane import AwsDataPlane

__all__ = ["AwsDataPlane"]
