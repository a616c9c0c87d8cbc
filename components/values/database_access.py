"""Who connects to the RDS metadata database, and how its certificate is checked (pure).

With ``database.roles`` (the AWS tiers' default) Airflow and PgBouncer connect as an application
role and KEDA as a read-only role; the migration Job creates both as the master user
(``charts-values/bootstrap_database_roles.py``), so the master password reaches no long-running
pod. With ``database.tls.mode: verify-full`` every pod that speaks TLS to RDS (PgBouncer, Airflow's
pods when they connect directly, the migration Job) mounts the RDS CA bundle from a ConfigMap and
points libpq and asyncpg at it (``PGSSLROOTCERT``). Why: docs/adr/0009 and 0010.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from ..config.model import StackConfig
from ..config.sections.aws import RDS_TRUSTSTORE, DatabaseRolesSection
from ..naming.kubernetes import Names
from .database import CA_BUNDLE_DIR, CA_BUNDLE_ENV, CA_BUNDLE_KEY, CA_BUNDLE_PATH
from .files import CHARTS_VALUES_DIR

ROLE_BOOTSTRAP_FILE = CHARTS_VALUES_DIR / "bootstrap_database_roles.py"
RDS_CA = "rds-ca"
POD_SECURITY_GROUP_ANNOTATION = "airflow-ha/pod-security-group"
CA_VOLUME = "rds-ca"


@dataclass(frozen=True)
class DatabaseAccess:
    roles: DatabaseRolesSection | None  # None: everything connects as the master user
    sslmode: str  # libpq's, to RDS
    ca_config_map: str | None  # the RDS CA bundle's ConfigMap, with verify-full

    @property
    def ca_volume(self) -> dict[str, Any] | None:
        if self.ca_config_map is None:
            return None
        return {"name": CA_VOLUME, "configMap": {"name": self.ca_config_map, "items": [_item()]}}

    @property
    def ca_mount(self) -> dict[str, Any] | None:
        return {"name": CA_VOLUME, "mountPath": CA_BUNDLE_DIR, "readOnly": True} if self.ca_config_map else None

    @property
    def ca_env(self) -> dict[str, str] | None:
        return {"name": CA_BUNDLE_ENV, "value": CA_BUNDLE_PATH} if self.ca_config_map else None


def _item() -> dict[str, str]:
    return {"key": CA_BUNDLE_KEY, "path": CA_BUNDLE_KEY}


def database_access(cfg: StackConfig, names: Names) -> DatabaseAccess | None:
    """None in the local tier: its own in-cluster PostgreSQL, without TLS or roles."""
    db = cfg.database
    if not cfg.on_aws or db is None:
        return None
    verify = db.tls.mode == "verify-full"
    return DatabaseAccess(
        roles=db.roles if db.roles.enabled else None,
        sslmode=db.tls.mode,
        ca_config_map=names.config_map(RDS_CA) if verify else None,
    )


def rds_ca_bundle_url(region: str) -> str:
    """AWS's regional bundle: the CAs that sign every RDS instance certificate in ``region``."""
    return f"{RDS_TRUSTSTORE}/{region}/{region}-bundle.pem"


def role_bootstrap_script() -> str:
    return ROLE_BOOTSTRAP_FILE.read_text()


def role_bootstrap_identity(roles: DatabaseRolesSection) -> str:
    """What a new migration Job must apply again: the script and the roles it creates."""
    text = "|".join([role_bootstrap_script(), roles.application, roles.keda])
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def database_access_values(
    cfg: StackConfig, names: Names, values: dict[str, Any], pod_security_group: str | None = None
) -> dict[str, Any]:
    """Chart values on top of ``values`` (lists are extended, not replaced): the CA bundle in every
    Airflow and PgBouncer pod (the chart's global ``volumes`` reach both), KEDA's own role, and
    with ``aws.securityGroupsForPods`` an annotation naming the pods' group, so the pods that
    started without it (the VPC CNI assigns it at pod creation) are replaced when it comes."""
    access = database_access(cfg, names)
    if access is None:
        return {}
    part: dict[str, Any] = {}
    if pod_security_group is not None:
        annotation = {POD_SECURITY_GROUP_ANNOTATION: pod_security_group}
        part["airflowPodAnnotations"] = {**values.get("airflowPodAnnotations", {}), **annotation}
        if cfg.pgbouncer.enabled:
            part["pgbouncer"] = {
                "podAnnotations": {**values.get("pgbouncer", {}).get("podAnnotations", {}), **annotation}
            }
    if access.ca_volume is not None and access.ca_mount is not None and access.ca_env is not None:
        part["volumes"] = [*values.get("volumes", []), access.ca_volume]
        part["volumeMounts"] = [*values.get("volumeMounts", []), access.ca_mount]
        part["env"] = [*values.get("env", []), access.ca_env]
    if access.roles is not None and cfg.pgbouncer.enabled and cfg.uses_celery and cfg.celery.workers.keda:
        # The chart then hands KEDA the metadata Secret's `kedaConnection` (the read-only role,
        # through PgBouncer) instead of Airflow's own connection.
        part["workers"] = {"celery": {"keda": {"usePgbouncer": False}}}
    return part
