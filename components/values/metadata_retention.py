"""The chart's ``databaseCleanup`` CronJob for one stack (pure).

With the export on, the CronJob runs the kit's ``charts-values/metadata_cleanup.py`` (passed to
``python -c``): ``airflow db clean`` keeps its archive tables, the script writes each one to S3
as Parquet (and, with ``export.bigquery``, loads that file into BigQuery) and only then drops
it. With the export off, the chart's own ``airflow db clean`` runs with ``--skip-archive``:
archive tables nobody reads or drops would grow forever.
"""

from __future__ import annotations

from typing import Any

from ..config.model import StackConfig
from ..config.sections.retention import MetadataBigQuerySection
from ..naming.kubernetes import Names
from .files import CHARTS_VALUES_DIR
from .refs import AwsRefs

Values = dict[str, Any]

CLEANUP_SCRIPT = CHARTS_VALUES_DIR / "metadata_cleanup.py"
# The key of its IRSA role in the data plane's role ARNs (the chart's own key for the CronJob).
CLEANUP_ROLE_KEY = "databaseCleanup"
IRSA_ANNOTATION = "eks.amazonaws.com/role-arn"


def cleanup_service_account(names: Names) -> str:
    return f"{names.release}-database-cleanup"


def cleanup_script() -> str:
    """The script's source, as the CronJob's ``python -c`` argument. The chart runs the args through
    ``tpl``, so the source must hold no template delimiters."""
    source = CLEANUP_SCRIPT.read_text()
    if "{{" in source or "}}" in source:
        raise ValueError(f"{CLEANUP_SCRIPT} must not contain '{{{{' or '}}}}': the chart templates the args")
    return source


def bigquery_args(bigquery: MetadataBigQuerySection | None) -> list[str]:
    """The script's arguments for the optional BigQuery target (none without one)."""
    if bigquery is None:
        return []
    args = ["--bigquery-project", bigquery.project, "--bigquery-dataset", bigquery.dataset]
    args += ["--gcp-conn-id", bigquery.gcp_conn_id]
    if bigquery.location:
        args += ["--bigquery-location", bigquery.location]
    return args


def database_cleanup_values(cfg: StackConfig, names: Names, refs: AwsRefs | None) -> Values:
    retention = cfg.metadata_retention
    if not retention.enabled:
        return {"databaseCleanup": {"enabled": False}}
    account: Values = {"create": True, "name": cleanup_service_account(names)}
    cleanup: Values = {
        "enabled": True,
        "schedule": retention.schedule,
        "retentionDays": retention.retention_days,
        "serviceAccount": account,
    }
    if retention.export.enabled and refs is not None:
        cleanup["skipArchive"] = False
        cleanup["args"] = [
            "python",
            "-c",
            cleanup_script(),
            "--retention-days",
            str(retention.retention_days),
            "--bucket",
            refs.logs_bucket,
            "--prefix",
            retention.export.prefix,
            "--region",
            refs.region,
        ]
        cleanup["args"] += bigquery_args(retention.export.bigquery)
        role_arn = refs.role_arns.get(CLEANUP_ROLE_KEY)
        if role_arn:
            account["annotations"] = {IRSA_ANNOTATION: role_arn}
    else:
        cleanup["skipArchive"] = True
    return {"databaseCleanup": cleanup}
