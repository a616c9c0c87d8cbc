"""Which tiers have AWS: the AWS tiers need their network and cluster; `local` has no AWS at all."""

from __future__ import annotations

from collections.abc import Iterator

from ..errors import Problem
from ..model import AWS_SECTIONS, StackConfig
from ..rule import rule

# Multi-AZ data stores need subnets in two zones.
MULTI_AZ_TIERS = ("staging", "prod")


@rule("tier", "aws")
def aws_section_matches_tier(cfg: StackConfig, _explicit: frozenset[str]) -> Iterator[Problem]:
    if cfg.on_aws and cfg.aws is None:
        yield Problem(
            "aws", f"is required in the '{cfg.tier}' tier: set region, vpcId, privateSubnetIds and eksClusterName"
        )
    if cfg.tier in MULTI_AZ_TIERS and cfg.aws is not None and len(cfg.aws.private_subnet_ids) < 2:
        yield Problem(
            "aws.privateSubnetIds",
            f"the '{cfg.tier}' tier needs at least 2 private subnets in different AZs for Multi-AZ data stores "
            f"(got {len(cfg.aws.private_subnet_ids)})",
        )


@rule("tier")
def local_tier_has_no_aws(cfg: StackConfig, explicit: frozenset[str]) -> Iterator[Problem]:
    if cfg.tier != "local":
        return
    for section in AWS_SECTIONS:
        if section in explicit:
            yield Problem(
                section,
                "is not allowed in the 'local' tier, which uses in-cluster PostgreSQL and Redis and no AWS at all; "
                "use tier dev, staging or prod for AWS data stores",
            )
    if cfg.secrets_backend.type == "aws-secrets-manager":
        yield Problem(
            "secretsBackend.type", "'aws-secrets-manager' needs an AWS tier; the 'local' tier allows 'none' or 'vault'"
        )
    if cfg.dags.source == "s3-bundle":
        yield Problem(
            "dags.source", "'s3-bundle' needs an AWS tier; the 'local' tier allows 'image', 'git-bundle' or 'git-sync'"
        )
