"""Who connects to the metadata database, and how its certificate is checked."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from ..errors import Problem
from ..model import StackConfig
from ..rule import rule
from ..sections.aws import RDS_TRUSTSTORE

PEM_CERTIFICATE = "-----BEGIN CERTIFICATE-----"


@rule("database")
def database_roles_are_distinct(cfg: StackConfig, _explicit: frozenset[str]) -> Iterator[Problem]:
    db = cfg.database
    if db is None or not db.roles.enabled:
        return
    if db.roles.application == db.roles.keda:
        yield Problem("database.roles.keda", f"must differ from database.roles.application ('{db.roles.keda}')")
    for key, role in (("application", db.roles.application), ("keda", db.roles.keda)):
        if role == db.username.lower():
            yield Problem(
                f"database.roles.{key}", f"must differ from the master user database.username ('{db.username}')"
            )


@rule("database", "pgbouncer", "celery", "executor")
def database_tls_reaches_every_client(cfg: StackConfig, explicit: frozenset[str]) -> Iterator[Problem]:
    db = cfg.database
    if db is None:
        return
    tls = db.tls
    if tls.mode == "verify-full" and cfg.uses_celery and cfg.celery.workers.keda and not cfg.pgbouncer.enabled:
        # Without PgBouncer the chart gives KEDA Airflow's own URL, which KEDA's operator (in its own
        # namespace, without the kit's CA bundle) cannot verify.
        yield Problem(
            "database.tls.mode",
            "verify-full with KEDA (celery.workers.keda) needs pgbouncer.enabled: KEDA's operator reaches the "
            "database through PgBouncer, which holds the RDS CA bundle; or set database.tls.mode: require",
        )
    if tls.ca_bundle_file is None:
        return
    key = "database.tls.caBundleFile"
    if tls.mode != "verify-full":
        if key in explicit:
            yield Problem(key, "has no effect: database.tls.mode is require (no certificate check)")
        return
    path = Path(tls.ca_bundle_file)
    if not path.is_file():
        yield Problem(
            key,
            f"'{tls.ca_bundle_file}' is not a file (from {Path.cwd()}); download it from "
            f"{RDS_TRUSTSTORE}/<region>/<region>-bundle.pem",
        )
    elif PEM_CERTIFICATE not in path.read_text(errors="replace"):
        yield Problem(key, f"'{tls.ca_bundle_file}' holds no PEM certificate ({PEM_CERTIFICATE})")
