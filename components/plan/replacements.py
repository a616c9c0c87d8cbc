"""Which stateful resources a change would replace or delete, found by comparing two plans.

The offline plan has no Pulumi state, so it cannot diff against the cloud. It can diff against
an earlier plan (``--format json`` of the main branch, say): any change to an input that forces
the provider to replace a stateful resource, and any stateful resource that disappears, is
listed. In a pull-request check, ``--fail-on-replace`` turns that into a non-zero exit.

The trigger lists are the inputs each provider marks as forcing a new resource, for the
resources whose replacement loses data or keys.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..config.dotted import lookup

ANY_INPUT = "*"

REPLACEMENT_TRIGGERS: dict[str, tuple[str, ...]] = {
    "aws:rds/instance:Instance": (
        "identifier",
        "dbName",
        "username",
        "engine",
        "kmsKeyId",
        "storageEncrypted",
        "availabilityZone",
        "characterSetName",
        "ncharCharacterSetName",
        "timezone",
    ),
    "aws:elasticache/replicationGroup:ReplicationGroup": (
        "replicationGroupId",
        "atRestEncryptionEnabled",
        "kmsKeyId",
        "subnetGroupName",
        "engine",
        "port",
    ),
    "aws:s3/bucket:Bucket": ("bucket", "bucketPrefix"),
    "aws:kms/key:Key": ("customerMasterKeySpec", "keySpec", "multiRegion"),
    "aws:secretsmanager/secret:Secret": ("name", "namePrefix"),
    # Every input of a random resource forces a new value: a new password or key.
    "random:index/randomPassword:RandomPassword": (ANY_INPUT,),
    "random:index/randomId:RandomId": (ANY_INPUT,),
    "random:index/randomBytes:RandomBytes": (ANY_INPUT,),
    "random:index/randomString:RandomString": (ANY_INPUT,),
    "kubernetes:core/v1:PersistentVolumeClaim": ("metadata.name", "spec.storageClassName", "spec.accessModes"),
    "kubernetes:apps/v1:StatefulSet": ("metadata.name", "spec.volumeClaimTemplates"),
}


@dataclass(frozen=True)
class Replacement:
    type: str
    name: str
    reason: str
    protected: bool

    def as_json(self) -> dict[str, Any]:
        return {"type": self.type, "name": self.name, "reason": self.reason, "protect": self.protected}

    def __str__(self) -> str:
        guard = " (protected: `pulumi up` will stop here)" if self.protected else ""
        return f"{self.name} ({self.type}): {self.reason}{guard}"


class NotAPlanError(ValueError):
    """An earlier plan without URNs (made before plans carried them): make it again."""


def find_replacements(before: list[dict[str, Any]], after: list[dict[str, Any]]) -> list[Replacement]:
    """Resources are ``{urn, aliases, type, name, inputs, protect}`` as in the plan's JSON ``resources``.

    A resource is the same one when its URN is the same, or when the new resource names the old
    URN among its aliases: a resource that moved to another parent, or whose component type was
    renamed, without an alias, is a delete and a create, as Pulumi would do it.
    """
    if any("urn" not in resource for resource in before):
        raise NotAPlanError("its resources carry no URN; make it again with this version's `plan --format json`")
    now: dict[str, dict[str, Any]] = {}
    for resource in after:
        for urn in (resource["urn"], *resource.get("aliases", ())):
            now[urn] = resource
    found: list[Replacement] = []
    for old in before:
        triggers = REPLACEMENT_TRIGGERS.get(old["type"])
        if triggers is None:
            continue
        new = now.get(old["urn"])
        if new is None:
            found.append(Replacement(old["type"], old["name"], "would be deleted", bool(old.get("protect"))))
            continue
        fields = sorted(set(old["inputs"]) | set(new["inputs"])) if triggers == (ANY_INPUT,) else triggers
        for field in fields:
            was, becomes = lookup(old["inputs"], field), lookup(new["inputs"], field)
            if was != becomes:
                found.append(
                    Replacement(
                        old["type"],
                        old["name"],
                        f"{field} changes from {was!r} to {becomes!r}: replaced",
                        bool(old.get("protect")),
                    )
                )
    return found
