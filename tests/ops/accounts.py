"""A seeded AWS account on moto_server (plus the gaps stand-in), and stack files that point into it."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import yaml

REGION = "eu-west-1"
REPO = Path(__file__).resolve().parents[2]
# The context `aws eks update-kubeconfig --name platform` writes for the seeded cluster.
EKS_CONTEXT = "arn:aws:eks:eu-west-1:123456789012:cluster/platform"
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": REGION}

# What the gaps stand-in answers for the actions moto lacks (see tests/support/ops_standins.py).
GAPS_SPEC: dict[str, Any] = {
    "rds_engine_versions": ["15.8", "16.3", "16.4"],
    "rds_orderable": [
        {"class": "db.r6g.xlarge", "version": "16.4", "multi_az": True, "zones": ["eu-west-1a", "eu-west-1b"]},
        {"class": "db.r6g.large", "version": "16.4", "multi_az": False, "zones": ["eu-west-1a"]},
    ],
    "redis_engine_versions": ["7.0", "7.1"],
    "cache_node_types": ["cache.r7g.large", "cache.t4g.small"],
}


@dataclass
class Account:
    endpoint: str
    vpc_id: str
    subnets: list[str]  # private subnets of the VPC, in two AZs
    one_zone_subnets: list[str]  # two private subnets in the same AZ
    other_vpc_subnet: str
    public_subnet: str  # routes to an internet gateway
    cluster: str  # has an IAM OIDC provider
    kms_key: str
    disabled_kms_key: str
    dag_bucket: str

    def client(self, service: str) -> Any:
        return boto3.client(service, endpoint_url=self.endpoint, region_name=REGION, **_keys())


def _keys() -> dict[str, str]:
    return {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


def seed_account(moto_url: str, endpoint: str) -> Account:
    """Seeds moto directly; ``endpoint`` (the gaps stand-in in front of moto) is what the command calls."""

    def client(service: str) -> Any:
        return boto3.client(service, endpoint_url=moto_url, region_name=REGION, **_keys())

    ec2 = client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.40.0.0/16")["Vpc"]["VpcId"]
    other_vpc = ec2.create_vpc(CidrBlock="10.41.0.0/16")["Vpc"]["VpcId"]

    def subnet(vpc_id: str, cidr: str, zone: str) -> str:
        return ec2.create_subnet(VpcId=vpc_id, CidrBlock=cidr, AvailabilityZone=zone)["Subnet"]["SubnetId"]

    subnets = [subnet(vpc, "10.40.1.0/24", "eu-west-1a"), subnet(vpc, "10.40.2.0/24", "eu-west-1b")]
    one_zone = [subnets[0], subnet(vpc, "10.40.3.0/24", "eu-west-1a")]
    other = subnet(other_vpc, "10.41.1.0/24", "eu-west-1c")
    public = subnet(vpc, "10.40.9.0/24", "eu-west-1b")
    gateway = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=gateway, VpcId=vpc)
    table = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=table, DestinationCidrBlock="0.0.0.0/0", GatewayId=gateway)
    ec2.associate_route_table(RouteTableId=table, SubnetId=public)

    eks, iam = client("eks"), client("iam")
    network = {"subnetIds": subnets}
    role = "arn:aws:iam::123456789012:role/eks"
    issuer = eks.create_cluster(name="platform", roleArn=role, resourcesVpcConfig=network)["cluster"]["identity"]
    iam.create_open_id_connect_provider(
        Url=issuer["oidc"]["issuer"], ClientIDList=["sts.amazonaws.com"], ThumbprintList=["9" * 40]
    )

    kms = client("kms")
    key = kms.create_key(Description="airflow data")["KeyMetadata"]["Arn"]
    disabled_key = kms.create_key(Description="disabled")["KeyMetadata"]
    kms.disable_key(KeyId=disabled_key["KeyId"])  # moto finds a key to disable by id only
    disabled = disabled_key["Arn"]

    s3 = client("s3")
    s3.create_bucket(Bucket="airflow-dags-preflight", CreateBucketConfiguration={"LocationConstraint": REGION})
    s3.put_object(Bucket="airflow-dags-preflight", Key="dags/hello.py", Body=b"# a DAG")

    sm = client("secretsmanager")
    sm.create_secret(Name="airflow/preflight/connections/slack_alerts", SecretString="{}")
    return Account(endpoint, vpc, subnets, one_zone, other, public, "platform", key, disabled, "airflow-dags-preflight")


def prod_stack_config(account: Account) -> dict[str, Any]:
    """The shipped prod stack, pointed at the seeded account (S3 DAG bundle, kit-named KMS key)."""
    config = yaml.safe_load((REPO / "stacks" / "Pulumi.prod.yaml").read_text())["config"]
    config = {key: value for key, value in config.items() if not isinstance(value, dict) or "secure" not in value}
    config["airflow-ha:slack"] = {"enabled": False}
    config["airflow-ha:openlineage"] = {"enabled": False}
    config["airflow-ha:aws"] = {
        "region": REGION,
        "vpcId": account.vpc_id,
        "privateSubnetIds": account.subnets,
        "eksClusterName": account.cluster,
    }
    config["airflow-ha:dags"] = {"source": "s3-bundle", "s3": {"bucket": account.dag_bucket, "prefix": "dags/"}}
    config["airflow-ha:database"] = {"kmsKeyArn": account.kms_key}
    config["airflow-ha:kubernetes"] = {
        **config["airflow-ha:kubernetes"],
        "monitoringNamespace": "monitoring",
    }
    return config


def write_stack(directory: Path, name: str, config: dict[str, Any], change: dict[str, Any] | None = None) -> Path:
    """``config`` with ``change`` merged in (``{"airflow-ha:aws": {"vpcId": ...}}``), as Pulumi.<name>.yaml."""
    merged = copy.deepcopy(config)
    for key, value in (change or {}).items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = {**merged[key], **value}
        else:
            merged[key] = value
    path = directory / f"Pulumi.{name}.yaml"
    path.write_text(yaml.safe_dump({"config": merged}, sort_keys=False))
    return path
