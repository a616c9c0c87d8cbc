"""Preflight checks against the AWS account, through the same API calls the stack's resources need."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..context import Stack
from .checks import Finding, failed, guarded, passed, warned

MULTI_AZ_TIERS = ("staging", "prod")


def aws_findings(stack: Stack) -> Iterator[Finding]:
    identity = list(guarded("aws", "credentials", lambda: _credentials(stack)))
    yield from identity
    if any(finding.verdict == "fail" for finding in identity):
        yield warned(
            "aws", "the rest", "not checked: the account cannot be reached", "fix the credentials and run again"
        )
        return
    yield from guarded("network", "VPC and subnets", lambda: _network(stack))
    yield from guarded("eks", "cluster", lambda: _cluster(stack))
    if stack.config.database is not None:
        yield from guarded("rds", "engine and class", lambda: _database(stack))
    if stack.config.redis is not None and stack.config.uses_celery:
        yield from guarded("elasticache", "engine and node type", lambda: _broker(stack))
    for key, arn in _kms_keys(stack):
        yield from guarded("kms", key, lambda key=key, arn=arn: _kms_key(stack, key, arn))
    if stack.config.dags.source == "s3-bundle" and stack.config.dags.s3 is not None:
        yield from guarded("s3", "DAG bucket", lambda: _dag_bucket(stack))
    if stack.config.secrets_backend.type == "aws-secrets-manager":
        yield from guarded("secrets", "Secrets Manager", lambda: _secrets_manager(stack))


def _credentials(stack: Stack) -> Iterator[Finding]:
    identity = stack.client("sts").get_caller_identity()
    yield passed("aws", "credentials", f"account {identity['Account']} as {identity['Arn']} in {stack.region}")


def _network(stack: Stack) -> Iterator[Finding]:
    aws = stack.config.aws
    assert aws is not None  # an AWS tier: the config requires the section
    ec2 = stack.client("ec2")
    vpcs = ec2.describe_vpcs(Filters=[{"Name": "vpc-id", "Values": [aws.vpc_id]}])["Vpcs"]
    if not vpcs:
        yield failed(
            "network",
            "VPC",
            f"airflow-ha:aws.vpcId {aws.vpc_id} does not exist in {stack.region}",
            "set it to the VPC of the EKS cluster (aws ec2 describe-vpcs)",
        )
        return
    yield passed("network", "VPC", f"{aws.vpc_id} ({vpcs[0].get('CidrBlock', '?')})")
    subnets = ec2.describe_subnets(Filters=[{"Name": "subnet-id", "Values": aws.private_subnet_ids}])["Subnets"]
    found = {subnet["SubnetId"]: subnet for subnet in subnets}
    missing = [subnet for subnet in aws.private_subnet_ids if subnet not in found]
    if missing:
        yield failed(
            "network",
            "subnets",
            f"airflow-ha:aws.privateSubnetIds: {', '.join(missing)} not found in {stack.region}",
            "list the private subnets of the VPC (aws ec2 describe-subnets --filters Name=vpc-id,Values=...)",
        )
    elsewhere = [subnet_id for subnet_id, subnet in found.items() if subnet["VpcId"] != aws.vpc_id]
    if elsewhere:
        yield failed(
            "network",
            "subnets",
            f"airflow-ha:aws.privateSubnetIds: {', '.join(sorted(elsewhere))} are not in {aws.vpc_id}",
            "RDS and ElastiCache subnet groups need subnets of one VPC: use that VPC's private subnets",
        )
    public = _public_subnets(ec2, aws.vpc_id, sorted(found))
    if public:
        yield warned(
            "network",
            "subnets",
            f"{', '.join(public)} route to an internet gateway: they are public subnets",
            "give airflow-ha:aws.privateSubnetIds the VPC's private subnets (no route to an internet gateway)",
        )
    zones = sorted({subnet["AvailabilityZone"] for subnet in found.values()})
    if len(zones) >= 2:
        yield passed("network", "zones", f"{len(found)} subnets in {len(zones)} AZs ({', '.join(zones)})")
    elif stack.config.tier in MULTI_AZ_TIERS:
        yield failed(
            "network",
            "zones",
            f"the subnets span {len(zones)} AZ ({', '.join(zones) or 'none'}); the {stack.config.tier} tier needs two",
            "add a private subnet in a second AZ to airflow-ha:aws.privateSubnetIds",
        )
    else:
        yield warned(
            "network",
            "zones",
            f"the subnets span {len(zones)} AZ; an AZ outage stops the database",
            "add a private subnet in a second AZ",
        )


def _public_subnets(ec2: Any, vpc_id: str, subnet_ids: list[str]) -> list[str]:
    """Subnets whose route table (their own, else the VPC's main one) sends traffic to an internet gateway."""
    tables = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["RouteTables"]

    def to_internet(table: dict[str, Any]) -> bool:
        return any(route.get("GatewayId", "").startswith("igw-") for route in table.get("Routes", []))

    main = next((t for t in tables if any(a.get("Main") for a in t.get("Associations", []))), None)
    own = {a["SubnetId"]: t for t in tables for a in t.get("Associations", []) if a.get("SubnetId")}
    return [subnet for subnet in subnet_ids if (table := own.get(subnet, main)) is not None and to_internet(table)]


def _cluster(stack: Stack) -> Iterator[Finding]:
    aws = stack.config.aws
    assert aws is not None
    cluster = stack.client("eks").describe_cluster(name=aws.eks_cluster_name)["cluster"]
    state = cluster.get("status", "UNKNOWN")
    detail = f"{aws.eks_cluster_name}: Kubernetes {cluster.get('version', '?')}, {state}"
    if state == "ACTIVE":
        yield passed("eks", "cluster", detail)
    else:
        yield warned("eks", "cluster", detail, "wait until the cluster is ACTIVE")
    issuer = cluster.get("identity", {}).get("oidc", {}).get("issuer", "")
    provider = issuer.removeprefix("https://")
    arns = [p["Arn"] for p in stack.client("iam").list_open_id_connect_providers()["OpenIDConnectProviderList"]]
    if provider and any(arn.endswith(f":oidc-provider/{provider}") for arn in arns):
        yield passed("eks", "IAM OIDC provider", f"{provider} is registered in IAM (IRSA works)")
    else:
        yield failed(
            "eks",
            "IAM OIDC provider",
            f"no IAM OIDC provider for {issuer or 'the cluster'}: IRSA roles cannot be assumed",
            f"eksctl utils associate-iam-oidc-provider --cluster {aws.eks_cluster_name} --approve",
        )


def _database(stack: Stack) -> Iterator[Finding]:
    db = stack.config.database
    assert db is not None
    rds = stack.client("rds")
    versions = [
        version["EngineVersion"]
        for page in rds.get_paginator("describe_db_engine_versions").paginate(Engine="postgres")
        for version in page["DBEngineVersions"]
        if version["EngineVersion"] == db.engine_version or version["EngineVersion"].startswith(f"{db.engine_version}.")
    ]
    if not versions:
        yield failed(
            "rds",
            "engine version",
            f"airflow-ha:database.engineVersion PostgreSQL {db.engine_version} is not offered in {stack.region}",
            "aws rds describe-db-engine-versions --engine postgres lists the versions",
        )
        return
    newest = max(versions, key=_version_key)
    yield passed("rds", "engine version", f"PostgreSQL {db.engine_version} is offered (newest {newest})")
    options = [
        option
        for page in rds.get_paginator("describe_orderable_db_instance_options").paginate(
            Engine="postgres", EngineVersion=newest, DBInstanceClass=db.instance_class
        )
        for option in page["OrderableDBInstanceOptions"]
    ]
    if not options:
        yield failed(
            "rds",
            "instance class",
            f"airflow-ha:database.instanceClass {db.instance_class} cannot be ordered for PostgreSQL {newest} "
            f"in {stack.region}",
            "pick a class that aws rds describe-orderable-db-instance-options lists",
        )
    elif db.multi_az and not any(option.get("MultiAZCapable") for option in options):
        yield failed(
            "rds",
            "instance class",
            f"{db.instance_class} is not offered with Multi-AZ for PostgreSQL {newest} in {stack.region}",
            "pick a Multi-AZ capable class, or airflow-ha:database.multiAz: false (not allowed in prod)",
        )
    else:
        zones = sorted({zone["Name"] for option in options for zone in option.get("AvailabilityZones", [])})
        yield passed(
            "rds",
            "instance class",
            f"{db.instance_class} can be ordered{' with Multi-AZ' if db.multi_az else ''}"
            + (f" in {', '.join(zones)}" if zones else ""),
        )


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split(".") if part.isdigit())


def _broker(stack: Stack) -> Iterator[Finding]:
    redis = stack.config.redis
    assert redis is not None
    elasticache = stack.client("elasticache")
    versions = elasticache.describe_cache_engine_versions(Engine="redis", EngineVersion=redis.engine_version)[
        "CacheEngineVersions"
    ]
    if versions:
        yield passed("elasticache", "engine version", f"Redis {redis.engine_version} is offered")
    else:
        yield failed(
            "elasticache",
            "engine version",
            f"airflow-ha:redis.engineVersion {redis.engine_version} is not offered in {stack.region}",
            "aws elasticache describe-cache-engine-versions --engine redis lists the versions",
        )
    offerings = elasticache.describe_reserved_cache_nodes_offerings(
        CacheNodeType=redis.node_type, ProductDescription="redis"
    )["ReservedCacheNodesOfferings"]
    if offerings:
        yield passed("elasticache", "node type", f"{redis.node_type} is offered in {stack.region}")
    else:
        yield failed(
            "elasticache",
            "node type",
            f"airflow-ha:redis.nodeType {redis.node_type} is not offered in {stack.region}",
            "pick a node type offered there (aws elasticache describe-reserved-cache-nodes-offerings)",
        )


def _kms_keys(stack: Stack) -> list[tuple[str, str]]:
    cfg = stack.config
    sections: list[tuple[str, Any]] = [("database", cfg.database), ("redis", cfg.redis), ("logs", cfg.logs)]
    return [
        (f"airflow-ha:{name}.kmsKeyArn", section.kms_key_arn)
        for name, section in sections
        if section and section.kms_key_arn
    ]


def _kms_key(stack: Stack, key: str, arn: str) -> Iterator[Finding]:
    metadata = stack.client("kms").describe_key(KeyId=arn)["KeyMetadata"]
    state = metadata.get("KeyState", "Enabled" if metadata.get("Enabled") else "Disabled")
    if state == "Enabled":
        yield passed("kms", key, f"{arn} is enabled")
    else:
        yield failed(
            "kms",
            key,
            f"{arn} is {state}",
            "enable the key (aws kms enable-key), cancel its deletion, or name another key",
        )


def _dag_bucket(stack: Stack) -> Iterator[Finding]:
    s3 = stack.config.dags.s3
    assert s3 is not None
    listed = stack.client("s3").list_objects_v2(Bucket=s3.bucket, Prefix=s3.prefix, MaxKeys=1)
    if listed.get("KeyCount", 0):
        yield passed("s3", "DAG bucket", f"s3://{s3.bucket}/{s3.prefix} is readable")
    else:
        yield warned(
            "s3",
            "DAG bucket",
            f"s3://{s3.bucket}/{s3.prefix} is readable but holds no DAGs yet",
            "upload the DAGs before the dag-processor starts, or it parses nothing",
        )


def _secrets_manager(stack: Stack) -> Iterator[Finding]:
    backend = stack.config.secrets_backend
    client = stack.client("secretsmanager")
    for what, prefix in (("connections", backend.connections_prefix), ("variables", backend.variables_prefix)):
        names = [
            secret["Name"]
            for page in client.get_paginator("list_secrets").paginate(Filters=[{"Key": "name", "Values": [prefix]}])
            for secret in page["SecretList"]
            if secret["Name"].startswith(f"{prefix}/")
        ]
        yield passed("secrets", what, f"Secrets Manager lists {len(names)} under {prefix}/")
