"""The plan as a person reads it: the resource tree with key settings, then Airflow's view."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from ..config.dotted import lookup
from ..config.registry import AIRFLOW_SERVICES, PGBOUNCER
from ..tuning.capacity import capacity_summary
from .engine import Registration
from .replacements import Replacement
from .runner import Plan

# The settings worth seeing at a glance, per resource type (wire names, dotted for nesting).
KEY_SETTINGS: dict[str, tuple[str, ...]] = {
    "aws:rds/instance:Instance": (
        "identifier",
        "instanceClass",
        "engineVersion",
        "multiAz",
        "storageEncrypted",
        "backupRetentionPeriod",
        "deletionProtection",
        "maxAllocatedStorage",
        "performanceInsightsEnabled",
        "monitoringInterval",
        "finalSnapshotIdentifier",
        "engineLifecycleSupport",
    ),
    "aws:rds/parameterGroup:ParameterGroup": ("family", "parameters"),
    "aws:elasticache/replicationGroup:ReplicationGroup": (
        "nodeType",
        "numCacheClusters",
        "automaticFailoverEnabled",
        "multiAzEnabled",
        "transitEncryptionEnabled",
        "atRestEncryptionEnabled",
    ),
    "aws:mq/broker:Broker": ("deploymentMode", "hostInstanceType", "engineVersion", "publiclyAccessible"),
    "aws:iam/role:Role": ("name",),
    "aws:kms/key:Key": ("enableKeyRotation", "deletionWindowInDays"),
    "aws:secretsmanager/secret:Secret": ("name",),
    "aws:sqs/queue:Queue": ("name", "sqsManagedSseEnabled", "messageRetentionSeconds"),
    "aws:s3/bucketNotification:BucketNotification": ("bucket",),
    "kubernetes:core/v1:Namespace": ("metadata.name",),
    "kubernetes:core/v1:Secret": ("metadata.name",),
    "kubernetes:batch/v1:Job": ("metadata.name",),
    "kubernetes:helm.sh/v3:Release": ("name", "chart", "version", "namespace"),
}


def _describe(registration: Registration) -> str:
    settings = []
    for key in KEY_SETTINGS.get(registration.type, ()):
        value = lookup(registration.inputs, key)
        if value is not None:
            settings.append(f"{key.split('.')[-1]}={_compact(value)}")
    flags = [
        flag
        for flag, on in (("protect", registration.protect), ("retainOnDelete", registration.retain_on_delete))
        if on
    ]
    if registration.ignore_changes:
        flags.append(f"ignoreChanges={','.join(registration.ignore_changes)}")
    details = " ".join(settings + [f"[{flag}]" for flag in flags])
    return f"{registration.name} ({registration.type}){' ' + details if details else ''}"


def _compact(value: Any) -> str:
    if isinstance(value, list) and value and isinstance(value[0], dict) and "name" in value[0]:
        return ",".join(f"{item['name']}={item.get('value')}" for item in value)
    return str(value)


def _tree(resources: list[Registration]) -> list[str]:
    children: dict[str | None, list[Registration]] = defaultdict(list)
    for registration in sorted(resources, key=lambda r: r.urn):
        children[registration.parent_urn].append(registration)
    lines: list[str] = []

    def walk(parent_urn: str | None, depth: int) -> None:
        for registration in children.get(parent_urn, []):
            lines.append(f"{'  ' * depth}- {_describe(registration)}")
            walk(registration.urn, depth + 1)

    walk(None, 1)
    return lines


def _replicas(values: dict[str, Any]) -> list[str]:
    lines = []
    for component in (*AIRFLOW_SERVICES, PGBOUNCER):
        section = values.get(component.chart_key) or {}
        if section.get("enabled", True) and "replicas" in section:
            lines.append(f"  {component.chart_key}: {section['replicas']}")
    keda = ((values.get("workers") or {}).get("celery") or {}).get("keda") or {}
    if keda.get("enabled"):
        lines.append(f"  celery workers: {keda.get('minReplicaCount')}..{keda.get('maxReplicaCount')} (KEDA)")
    return lines


def _ingress(values: dict[str, Any]) -> list[str]:
    """How users reach the UI: hosts, the TLS Secret per host, and the annotations (cert-manager, ALB)."""
    api_server = (values.get("ingress") or {}).get("apiServer") or {}
    if not api_server.get("enabled"):
        return ["  none"]
    lines = [f"  class {api_server.get('ingressClassName')}"]
    for host in api_server.get("hosts", []):
        tls = host.get("tls") or {}
        served = f"TLS from Secret {tls['secretName']}" if tls.get("enabled") else "no TLS Secret on the Ingress"
        lines.append(f"  host {host['name']}: {served}")
    lines += [f"  {key}: {value}" for key, value in sorted((api_server.get("annotations") or {}).items())]
    return lines


def text_summary(plan: Plan, replacements: list[Replacement] | None = None) -> str:
    cfg = plan.config
    lines = [
        f"Stack {plan.stack}: tier {cfg.tier}, executor {cfg.executor}, Airflow {cfg.airflow.version} "
        f"(chart {cfg.airflow.chart_version}), release '{plan.release_name}' in namespace '{plan.namespace}'",
        "",
        f"Resources ({len(plan.resources)}):",
        *_tree(plan.resources),
        "",
        "Replicas:",
        *_replicas(plan.chart_values),
        "",
        "Ingress:",
        *_ingress(plan.chart_values),
        "",
        "Airflow config set by the kit:",
    ]
    for section, options in sorted(plan.airflow_config.items()):
        for key, value in sorted(options.items()):
            lines.append(f"  [{section}] {key} = {value}")
    lines += ["", "Capacity:", *(f"  {line}" for line in capacity_summary(plan.capacity)), ""]
    if replacements is not None:
        lines.append("Stateful resources this change replaces or deletes:")
        lines += [f"  ! {replacement}" for replacement in replacements] or ["  none"]
        lines.append("")
    lines.append("Full detail (every input, the chart values): --format json")
    return "\n".join(lines) + "\n"
