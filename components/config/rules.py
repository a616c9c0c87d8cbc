"""Rules that span keys: production floors, contradictions, missing companions.

Each rule names the top-level sections it reads. When one of them failed its own validation
the rule is skipped (it cannot be judged), so a stack file with a typo in ``database`` still
gets every other rule's verdict in the same report.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from .errors import Problem
from .model import StackConfig
from .quantities import cpu_cores, memory_bytes

RuleFunction = Callable[[StackConfig, frozenset[str]], Iterable[Problem]]


@dataclass(frozen=True)
class Rule:
    """``check(config, explicit)``: ``explicit`` holds every dotted key the stack file sets."""

    needs: tuple[str, ...]
    check: RuleFunction


def rule(*needs: str) -> Callable[[RuleFunction], Rule]:
    def register(check: RuleFunction) -> Rule:
        return Rule(needs=needs, check=check)

    return register


PROD_MIN_REPLICAS = 2
PROD_MIN_BACKUP_DAYS = 7


@rule("tier", "aws")
def aws_section_matches_tier(cfg: StackConfig, explicit: frozenset[str]) -> Iterator[Problem]:
    if cfg.on_aws and cfg.aws is None:
        yield Problem(
            "aws", f"is required in the '{cfg.tier}' tier: set region, vpcId, privateSubnetIds and eksClusterName"
        )
    if cfg.tier in ("staging", "prod") and cfg.aws is not None and len(cfg.aws.private_subnet_ids) < 2:
        yield Problem(
            "aws.privateSubnetIds",
            f"the '{cfg.tier}' tier needs at least 2 private subnets in different AZs for Multi-AZ data stores "
            f"(got {len(cfg.aws.private_subnet_ids)})",
        )


@rule("tier")
def local_tier_has_no_aws(cfg: StackConfig, explicit: frozenset[str]) -> Iterator[Problem]:
    if cfg.tier != "local":
        return
    for section in ("aws", "database", "redis", "logs"):
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


@rule("tier", "scheduler", "api_server", "triggerer", "dag_processor", "pgbouncer")
def prod_component_floors(cfg: StackConfig, explicit: frozenset[str]) -> Iterator[Problem]:
    if cfg.tier != "prod":
        return
    components = {
        "scheduler": cfg.scheduler.replicas,
        "apiServer": cfg.api_server.replicas,
        "triggerer": cfg.triggerer.replicas,
        "dagProcessor": cfg.dag_processor.replicas,
    }
    for key, replicas in components.items():
        if replicas < PROD_MIN_REPLICAS:
            yield Problem(
                f"{key}.replicas",
                f"the prod tier requires at least {PROD_MIN_REPLICAS} for high availability (got {replicas})",
            )
    if not cfg.pgbouncer.enabled:
        yield Problem(
            "pgbouncer.enabled", "the prod tier requires PgBouncer in front of the metadata database (got false)"
        )
    elif cfg.pgbouncer.replicas < PROD_MIN_REPLICAS:
        yield Problem(
            "pgbouncer.replicas", f"the prod tier requires at least {PROD_MIN_REPLICAS} (got {cfg.pgbouncer.replicas})"
        )


@rule("tier", "database")
def prod_database_hardening(cfg: StackConfig, explicit: frozenset[str]) -> Iterator[Problem]:
    db = cfg.database
    if db is None:
        return
    if db.max_allocated_storage_gb < db.allocated_storage_gb:
        yield Problem(
            "database.maxAllocatedStorageGb",
            f"must be at least database.allocatedStorageGb ({db.allocated_storage_gb}); got {db.max_allocated_storage_gb}",
        )
    if cfg.tier != "prod":
        return
    if not db.multi_az:
        yield Problem("database.multiAz", "the prod tier requires a Multi-AZ metadata database (got false)")
    if db.backup_retention_days < PROD_MIN_BACKUP_DAYS:
        yield Problem(
            "database.backupRetentionDays",
            f"the prod tier requires at least {PROD_MIN_BACKUP_DAYS} days (got {db.backup_retention_days})",
        )
    if not db.deletion_protection:
        yield Problem("database.deletionProtection", "the prod tier requires deletion protection (got false)")
    if not db.protect:
        yield Problem(
            "database.protect", "the prod tier requires Pulumi protect and retainOnDelete on the database (got false)"
        )


@rule("tier", "executor", "redis")
def broker_hardening(cfg: StackConfig, explicit: frozenset[str]) -> Iterator[Problem]:
    redis = cfg.redis
    if redis is None or not cfg.uses_celery:
        return
    if redis.multi_az and redis.num_cache_clusters < 2:
        yield Problem(
            "redis.multiAz",
            f"Multi-AZ needs automatic failover, which needs redis.numCacheClusters of 2 or more (got {redis.num_cache_clusters})",
        )
    if cfg.tier == "prod":
        if redis.num_cache_clusters < 2:
            yield Problem(
                "redis.numCacheClusters",
                f"the prod tier requires at least 2 broker nodes (got {redis.num_cache_clusters})",
            )
        if not redis.multi_az:
            yield Problem(
                "redis.multiAz", "the prod tier requires a Multi-AZ broker with automatic failover (got false)"
            )


@rule("executor")
def executor_sections_agree(cfg: StackConfig, explicit: frozenset[str]) -> Iterator[Problem]:
    if not cfg.uses_celery:
        for section in ("celery", "redis"):
            if section in explicit:
                yield Problem(
                    section,
                    f"configures a Celery broker or workers, but executor is '{cfg.executor}'. "
                    "Remove it, or use executor 'CeleryExecutor' or 'CeleryExecutor,KubernetesExecutor'",
                )
    if not cfg.uses_kubernetes_executor and "kubernetesExecutor" in explicit:
        yield Problem(
            "kubernetesExecutor",
            f"configures KubernetesExecutor task pods, but executor is '{cfg.executor}'. "
            "Remove it, or use executor 'KubernetesExecutor' or 'CeleryExecutor,KubernetesExecutor'",
        )


@rule("slack", "openlineage")
def integrations_have_what_they_need(cfg: StackConfig, explicit: frozenset[str]) -> Iterator[Problem]:
    if cfg.slack.enabled and cfg.secrets.slack_webhook_url is None:
        yield Problem(
            "slackWebhookUrl",
            "is required when slack.enabled is true: pulumi config set --secret slackWebhookUrl <url>",
        )
    if cfg.openlineage.enabled and not cfg.openlineage.url:
        yield Problem(
            "openlineage.url", "is required when openlineage.enabled is true (the Marquez-compatible API base URL)"
        )
    if not cfg.openlineage.enabled and cfg.secrets.openlineage_api_key is not None:
        yield Problem("openlineageApiKey", "is set but openlineage.enabled is false; remove it or enable OpenLineage")


@rule("secrets_backend", "vault")
def secrets_backend_has_what_it_needs(cfg: StackConfig, explicit: frozenset[str]) -> Iterator[Problem]:
    uses_vault = cfg.secrets_backend.type == "vault"
    if uses_vault and cfg.secrets.vault_address is None:
        yield Problem(
            "vaultAddress",
            "is required when secretsBackend.type is 'vault': pulumi config set --secret vaultAddress https://...",
        )
    if uses_vault and cfg.vault.manage and cfg.secrets.vault_token is None:
        yield Problem(
            "vaultToken", "is required when vault.manage is true: pulumi config set --secret vaultToken <token>"
        )
    if not uses_vault:
        if "vault" in explicit:
            yield Problem(
                "vault",
                f"configures Vault, but secretsBackend.type is '{cfg.secrets_backend.type}'; set it to 'vault' or remove this key",
            )
        for key in ("vaultAddress", "vaultToken"):
            if key in explicit:
                yield Problem(
                    key,
                    f"is set, but secretsBackend.type is '{cfg.secrets_backend.type}'; set it to 'vault' or remove this key",
                )


@rule("dags")
def dag_source_is_complete(cfg: StackConfig, explicit: frozenset[str]) -> Iterator[Problem]:
    source = cfg.dags.source
    if source in ("git-bundle", "git-sync") and cfg.dags.git is None:
        yield Problem("dags.git", f"is required when dags.source is '{source}' (url, ref)")
    if source == "s3-bundle" and cfg.dags.s3 is None:
        yield Problem("dags.s3", "is required when dags.source is 's3-bundle' (bucket, prefix)")
    if source not in ("git-bundle", "git-sync") and cfg.dags.git is not None:
        yield Problem("dags.git", f"is set, but dags.source is '{source}'; it applies to 'git-bundle' and 'git-sync'")
    if source != "s3-bundle" and cfg.dags.s3 is not None:
        yield Problem("dags.s3", f"is set, but dags.source is '{source}'; it applies to 's3-bundle'")
    if cfg.secrets.dags_git_token is not None and source not in ("git-bundle", "git-sync"):
        yield Problem(
            "dagsGitToken",
            f"is set, but dags.source is '{source}'; it is the Git credential for 'git-bundle' and 'git-sync'",
        )


_SIZED_SECTIONS = {
    "scheduler": "scheduler",
    "api_server": "apiServer",
    "triggerer": "triggerer",
    "dag_processor": "dagProcessor",
    "pgbouncer": "pgbouncer",
}


@rule("scheduler", "api_server", "triggerer", "dag_processor", "pgbouncer", "celery", "workload")
def limits_not_below_requests(cfg: StackConfig, explicit: frozenset[str]) -> Iterator[Problem]:
    sized = {key: getattr(cfg, attr).resources for attr, key in _SIZED_SECTIONS.items()}
    sized["celery.workers"] = cfg.celery.workers.resources
    sized["workload.taskResources"] = cfg.workload.task_resources
    for key, resources in sized.items():
        prefix = key if key.endswith("Resources") else f"{key}.resources"
        if resources.limits is None:
            continue
        if cpu_cores(resources.limits.cpu) < cpu_cores(resources.requests.cpu):
            yield Problem(
                f"{prefix}.limits.cpu", f"{resources.limits.cpu} is below the request {resources.requests.cpu}"
            )
        if memory_bytes(resources.limits.memory) < memory_bytes(resources.requests.memory):
            yield Problem(
                f"{prefix}.limits.memory", f"{resources.limits.memory} is below the request {resources.requests.memory}"
            )


@rule("celery")
def worker_bounds_ordered(cfg: StackConfig, explicit: frozenset[str]) -> Iterator[Problem]:
    workers = cfg.celery.workers
    if (
        workers.min_replicas is not None
        and workers.max_replicas is not None
        and workers.min_replicas > workers.max_replicas
    ):
        yield Problem(
            "celery.workers.minReplicas",
            f"{workers.min_replicas} is above celery.workers.maxReplicas ({workers.max_replicas})",
        )


# Airflow options the kit derives or owns, with the stack key that controls each. Setting them
# through `airflow.config` would bypass the capacity checks or break what the kit wires.
KIT_MANAGED_OPTIONS: dict[tuple[str, str], str] = {
    ("core", "executor"): "use the key 'executor'",
    ("core", "parallelism"): "use tuning.parallelism",
    ("core", "max_active_tasks_per_dag"): "use workload.maxActiveTasksPerDag",
    ("core", "max_active_runs_per_dag"): "use workload.maxActiveRunsPerDag",
    ("core", "default_pool_task_slot_count"): "use tuning.defaultPoolTaskSlotCount",
    ("core", "fernet_key"): "the kit generates it once per stack",
    ("celery", "worker_concurrency"): "use celery.workers.concurrency",
    ("kubernetes_executor", "worker_pods_creation_batch_size"): "use kubernetesExecutor.workerPodsCreationBatchSize",
    ("dag_processor", "parsing_processes"): "use dagProcessor.parsingProcesses",
    ("database", "sql_alchemy_conn"): "the kit wires the metadata database",
    ("database", "sql_alchemy_pool_size"): "use tuning.sqlAlchemyPoolSize",
    ("database", "sql_alchemy_max_overflow"): "use tuning.sqlAlchemyMaxOverflow",
    ("api", "workers"): "use apiServer.workers",
    ("api", "secret_key"): "the kit generates it once per stack",
    ("api_auth", "jwt_secret"): "the kit generates it once per stack",
    ("triggerer", "capacity"): "use triggerer.capacity",
    ("secrets", "backend"): "use secretsBackend.type",
    ("secrets", "backend_kwargs"): "use the secretsBackend and vault keys",
    ("openlineage", "transport"): "use openlineage.url and the secret openlineageApiKey",
    ("logging", "remote_base_log_folder"): "the kit points it at the stack's S3 bucket",
}


@rule("airflow")
def airflow_config_leaves_kit_options_alone(cfg: StackConfig, explicit: frozenset[str]) -> Iterator[Problem]:
    for section, options in cfg.airflow.config.items():
        for option in options:
            instead = KIT_MANAGED_OPTIONS.get((section, option))
            if instead:
                yield Problem(
                    f"airflow.config.{section}.{option}", f"is set by the kit, so the checks see it: {instead}"
                )


CONFIG_RULES: tuple[Rule, ...] = (
    airflow_config_leaves_kit_options_alone,
    aws_section_matches_tier,
    local_tier_has_no_aws,
    prod_component_floors,
    prod_database_hardening,
    broker_hardening,
    executor_sections_agree,
    integrations_have_what_they_need,
    secrets_backend_has_what_it_needs,
    dag_source_is_complete,
    limits_not_below_requests,
    worker_bounds_ordered,
)
