"""What AWS would assign: ARNs, endpoints, and the results of the lookups the kit makes."""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

ACCOUNT_ID = "123456789012"
REGION = "eu-west-1"
OIDC_ISSUER = "https://oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE"
CLUSTER_SECURITY_GROUP = "sg-0c1a55e7c1a55e7c1"


def _arn(type_token: str, name: str) -> str:
    service = type_token.split(":")[1].split("/")[0]
    return f"arn:aws:{service}:{REGION}:{ACCOUNT_ID}:{name}"


# What AWS appends to a `namePrefix` (a timestamp and a counter, 26 characters).
UNIQUE_SUFFIX = "20261202000000000000000001"


def outputs(type_token: str, name: str, inputs: dict[str, Any]) -> dict[str, Any] | None:
    if not type_token.startswith("aws:"):
        return None
    extra: dict[str, Any] = {"arn": _arn(type_token, name), "tagsAll": inputs.get("tags", {})}
    if "namePrefix" in inputs and "name" not in inputs:
        extra["name"] = f"{inputs['namePrefix']}{UNIQUE_SUFFIX}"
    kind = type_token.split(":")[-1]
    if type_token == "aws:rds/instance:Instance":
        host = f"{inputs.get('identifier', name)}.c9akciq32.{REGION}.rds.amazonaws.com"
        extra |= {
            "address": host,
            "endpoint": f"{host}:5432",
            "port": inputs.get("port", 5432),
            "hostedZoneId": "Z29XKXDKYMONMX",
            "resourceId": f"db-{name.upper()}",
        }
    elif type_token == "aws:elasticache/replicationGroup:ReplicationGroup":
        group = inputs.get("replicationGroupId", name)
        extra |= {
            "primaryEndpointAddress": f"master.{group}.abc123.euw1.cache.amazonaws.com",
            "readerEndpointAddress": f"replica.{group}.abc123.euw1.cache.amazonaws.com",
            "port": inputs.get("port", 6379),
        }
    elif type_token == "aws:mq/broker:Broker":
        broker_id = f"b-{hashlib.sha256(name.encode()).hexdigest()[:8]}-0000-1111-2222-333344445555"
        host = f"{broker_id}.mq.{REGION}.amazonaws.com"
        nodes = 3 if inputs.get("deploymentMode") == "CLUSTER_MULTI_AZ" else 1
        # A cluster has one endpoint (its load balancer) for all three nodes.
        extra |= {
            "instances": [
                {"consoleUrl": f"https://{host}", "endpoints": [f"amqps://{host}:5671"], "ipAddress": ""}
                for _ in range(nodes)
            ]
        }
    elif type_token == "aws:s3/bucket:Bucket" or type_token == "aws:s3/bucketV2:BucketV2":
        bucket = inputs.get("bucket") or f"{inputs.get('bucketPrefix', name)}20261123000000000001"
        extra |= {
            "bucket": bucket,
            "arn": f"arn:aws:s3:::{bucket}",
            "bucketRegionalDomainName": f"{bucket}.s3.{REGION}.amazonaws.com",
        }
    elif type_token == "aws:kms/key:Key":
        extra |= {
            "keyId": f"{name}-0000-1111-2222-333344445555",
            "arn": f"arn:aws:kms:{REGION}:{ACCOUNT_ID}:key/{name}-0000-1111-2222-333344445555",
        }
    elif type_token.startswith("aws:iam/"):
        role_name = inputs.get("name") or extra.get("name", name)
        extra |= {"arn": f"arn:aws:iam::{ACCOUNT_ID}:{kind[0].lower() + kind[1:]}/{role_name}", "name": role_name}
    elif type_token == "aws:secretsmanager/secret:Secret":
        extra |= {"arn": f"arn:aws:secretsmanager:{REGION}:{ACCOUNT_ID}:secret:{inputs.get('name', name)}-AbCdEf"}
    elif type_token == "aws:sqs/queue:Queue":
        queue = inputs.get("name", name)
        extra |= {
            "arn": f"arn:aws:sqs:{REGION}:{ACCOUNT_ID}:{queue}",
            "url": f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT_ID}/{queue}",
        }
    elif type_token == "aws:ec2/securityGroup:SecurityGroup":
        extra |= {"id": f"sg-{hashlib.sha256(name.encode()).hexdigest()[:17]}"}
    return extra


def _get_cluster(args: dict[str, Any]) -> dict[str, Any]:
    name = args.get("name", "cluster")
    return {
        "name": name,
        "arn": f"arn:aws:eks:{REGION}:{ACCOUNT_ID}:cluster/{name}",
        "endpoint": f"https://EXAMPLE0123456789.gr7.{REGION}.eks.amazonaws.com",
        "certificateAuthorities": [{"data": "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg=="}],
        "identities": [{"oidcs": [{"issuer": OIDC_ISSUER}]}],
        "vpcConfig": {"clusterSecurityGroupId": CLUSTER_SECURITY_GROUP, "vpcId": "vpc-0abc", "subnetIds": []},
        "version": "1.33",
        "status": "ACTIVE",
    }


def _get_secret_version(args: dict[str, Any]) -> dict[str, Any]:
    """A retained key store (database.adoptRetained): one generation, a fake but valid Fernet key."""
    secret_id = args.get("secretId", "secret")
    key = base64.urlsafe_b64encode(hashlib.sha256(f"retained:{secret_id}".encode()).digest()).decode()
    document = {"fernet_key": key, "generation": 1, "keys": {"1": key}}
    return {
        "secretId": secret_id,
        "secretString": json.dumps(document),
        "arn": f"arn:aws:secretsmanager:{REGION}:{ACCOUNT_ID}:secret:{secret_id}-AbCdEf",
        "versionId": "retained-version",
        "versionStages": ["AWSCURRENT"],
        "id": secret_id,
    }


CALLS = {
    "aws:secretsmanager/getSecretVersion:getSecretVersion": _get_secret_version,
    "aws:eks/getCluster:getCluster": _get_cluster,
    "aws:index/getCallerIdentity:getCallerIdentity": lambda _args: {
        "accountId": ACCOUNT_ID,
        "arn": f"arn:aws:iam::{ACCOUNT_ID}:user/deployer",
        "userId": "AIDAEXAMPLE",
        "id": ACCOUNT_ID,
    },
    "aws:index/getPartition:getPartition": lambda _args: {
        "partition": "aws",
        "dnsSuffix": "amazonaws.com",
        "id": "aws",
    },
    "aws:index/getRegion:getRegion": lambda _args: {"name": REGION, "region": REGION, "id": REGION},
    # No instance runs yet in the offline plan: a new stack.
    "aws:rds/getInstances:getInstances": lambda _args: {"instanceIdentifiers": [], "instanceArns": [], "id": REGION},
}
