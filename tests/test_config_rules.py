"""Every validation rule: a bad stack config is refused with a message naming the key."""

from __future__ import annotations

import pytest

from components.config.errors import PROJECT, ConfigError
from components.config.loader import load_stack_config
from tests.support.stacks import AWS_SECTION, raw_values

P = PROJECT


def problems_of(config: dict, secret_keys=()) -> dict[str, str]:
    with pytest.raises(ConfigError) as raised:
        load_stack_config("test", config, secret_keys)
    return {problem.key: problem.message for problem in raised.value.problems}


def assert_refused(config: dict, key: str, *fragments: str, secret_keys=()) -> str:
    problems = problems_of(config, secret_keys)
    assert key in problems, f"expected a problem at {key}, got {problems}"
    for fragment in fragments:
        assert fragment in problems[key], problems[key]
    return problems[key]


# (id, config, key, fragments the message must contain)
CASES = [
    ("unknown top-level key", raw_values("dev", schedular={"replicas": 2}), "schedular", ["did you mean 'scheduler'"]),
    (
        "unknown nested key",
        raw_values("dev", scheduler={"replcas": 2}),
        "scheduler.replcas",
        ["did you mean 'replicas'", "allowed here"],
    ),
    ("unknown deep key", raw_values("dev", database={"multiAZ": True}), "database.multiAZ", ["did you mean 'multiAz'"]),
    ("wrong type", raw_values("dev", scheduler={"replicas": "two"}), "scheduler.replicas", ["integer", "'two'"]),
    ("below range", raw_values("dev", apiServer={"replicas": 0}), "apiServer.replicas", ["greater than or equal to 1"]),
    (
        "above range",
        raw_values("dev", database={"backupRetentionDays": 40}),
        "database.backupRetentionDays",
        ["less than or equal to 35"],
    ),
    (
        "bad enum",
        raw_values("dev", database={"monitoringIntervalSeconds": 7}),
        "database.monitoringIntervalSeconds",
        ["0, 1, 5"],
    ),
    (
        "bad cpu quantity",
        raw_values("dev", workload={"taskResources": {"requests": {"cpu": "lots", "memory": "1Gi"}}}),
        "workload.taskResources.requests.cpu",
        ["not a CPU quantity"],
    ),
    (
        "bad memory quantity",
        raw_values("dev", scheduler={"resources": {"requests": {"cpu": "1", "memory": "2 gigs"}}}),
        "scheduler.resources.requests.memory",
        ["not a memory quantity"],
    ),
    ("bad ARN", raw_values("dev", database={"kmsKeyArn": "my-key"}), "database.kmsKeyArn", ["not an AWS ARN"]),
    (
        "bad subnet id",
        raw_values("dev", aws={**AWS_SECTION, "privateSubnetIds": ["subnet-1", "mysubnet"]}),
        "aws.privateSubnetIds[1]",
        ["pattern"],
    ),
    (
        "dask executor",
        raw_values("dev", executor="DaskExecutor"),
        "executor",
        [
            "no maintained Dask executor",
            "'CeleryExecutor'",
            "'KubernetesExecutor'",
            "'CeleryExecutor,KubernetesExecutor'",
        ],
    ),
    ("sequential executor", raw_values("dev", executor="SequentialExecutor"), "executor", ["removed"]),
    (
        "unknown executor",
        raw_values("dev", executor="RayExecutor"),
        "executor",
        ["not a supported executor", "'CeleryExecutor'"],
    ),
    ("invalid tier", {f"{P}:tier": "production"}, "tier", ["'production'", "local, dev, staging, prod"]),
    ("missing tier", {f"{P}:executor": "CeleryExecutor"}, "tier", ["missing"]),
    ("unknown namespace", {**raw_values("dev"), "airfow-ha:tier": "prod"}, "", ["unknown namespace 'airfow-ha'"]),
    ("aws tier without aws", {f"{P}:tier": "dev"}, "aws", ["required in the 'dev' tier"]),
    ("local tier with aws", raw_values("local", aws=AWS_SECTION), "aws", ["not allowed in the 'local' tier"]),
    (
        "local tier with database",
        raw_values("local", database={"multiAz": True}),
        "database",
        ["not allowed in the 'local' tier"],
    ),
    (
        "secrets manager on local",
        raw_values("local", secretsBackend={"type": "aws-secrets-manager"}),
        "secretsBackend.type",
        ["needs an AWS tier"],
    ),
    (
        "prod one subnet",
        raw_values("prod", aws={**AWS_SECTION, "privateSubnetIds": ["subnet-0aaa1111bbbb22220"]}),
        "aws.privateSubnetIds",
        ["at least 2 private subnets"],
    ),
    (
        "prod one scheduler",
        raw_values("prod", scheduler={"replicas": 1}),
        "scheduler.replicas",
        ["prod tier requires at least 2", "got 1"],
    ),
    ("prod one api-server", raw_values("prod", apiServer={"replicas": 1}), "apiServer.replicas", ["at least 2"]),
    ("prod one triggerer", raw_values("prod", triggerer={"replicas": 1}), "triggerer.replicas", ["at least 2"]),
    (
        "prod one dag-processor",
        raw_values("prod", dagProcessor={"replicas": 1}),
        "dagProcessor.replicas",
        ["at least 2"],
    ),
    (
        "prod without pgbouncer",
        raw_values("prod", pgbouncer={"enabled": False}),
        "pgbouncer.enabled",
        ["requires PgBouncer"],
    ),
    ("prod one pgbouncer", raw_values("prod", pgbouncer={"replicas": 1}), "pgbouncer.replicas", ["at least 2"]),
    ("prod single-AZ database", raw_values("prod", database={"multiAz": False}), "database.multiAz", ["Multi-AZ"]),
    (
        "prod short backups",
        raw_values("prod", database={"backupRetentionDays": 3}),
        "database.backupRetentionDays",
        ["at least 7", "got 3"],
    ),
    (
        "prod no deletion protection",
        raw_values("prod", database={"deletionProtection": False}),
        "database.deletionProtection",
        ["requires"],
    ),
    (
        "prod unprotected database",
        raw_values("prod", database={"protect": False}),
        "database.protect",
        ["retainOnDelete"],
    ),
    (
        "prod single broker node",
        raw_values("prod", redis={"numCacheClusters": 1, "multiAz": False}),
        "redis.numCacheClusters",
        ["at least 2 broker nodes"],
    ),
    (
        "prod single-AZ broker",
        raw_values("prod", redis={"multiAz": False}),
        "redis.multiAz",
        ["prod tier requires a Multi-AZ broker"],
    ),
    (
        "multi-AZ broker with one node",
        raw_values("staging", redis={"numCacheClusters": 1}),
        "redis.multiAz",
        ["automatic failover"],
    ),
    (
        "storage ceiling below size",
        raw_values("dev", database={"allocatedStorageGb": 200, "maxAllocatedStorageGb": 100}),
        "database.maxAllocatedStorageGb",
        ["at least database.allocatedStorageGb (200)"],
    ),
    (
        "broker for kubernetes executor",
        raw_values("dev", executor="KubernetesExecutor", redis={"nodeType": "cache.t4g.small"}),
        "redis",
        ["Celery broker", "'KubernetesExecutor'"],
    ),
    (
        "celery workers for kubernetes executor",
        raw_values("dev", executor="KubernetesExecutor", celery={"workers": {"maxReplicas": 4}}),
        "celery",
        ["Celery broker or workers"],
    ),
    (
        "task pods for celery executor",
        raw_values("prod", kubernetesExecutor={"maxTaskPods": 10}),
        "kubernetesExecutor",
        ["KubernetesExecutor task pods", "'CeleryExecutor'"],
    ),
    (
        "slack without webhook",
        raw_values("dev", slack={"enabled": True}),
        "slackWebhookUrl",
        ["required when slack.enabled", "--secret"],
    ),
    (
        "lineage without url",
        raw_values("dev", openlineage={"enabled": True}),
        "openlineage.url",
        ["required when openlineage.enabled"],
    ),
    (
        "vault without address",
        raw_values("dev", secretsBackend={"type": "vault"}),
        "vaultAddress",
        ["required when secretsBackend.type is 'vault'"],
    ),
    (
        "vault section without vault backend",
        raw_values("dev", vault={"role": "x"}),
        "vault",
        ["secretsBackend.type is 'aws-secrets-manager'"],
    ),
    (
        "git bundle without repository",
        raw_values("dev", dags={"source": "git-bundle"}),
        "dags.git",
        ["required when dags.source is 'git-bundle'"],
    ),
    (
        "s3 bundle on local",
        raw_values("local", dags={"source": "s3-bundle", "s3": {"bucket": "b"}}),
        "dags.source",
        ["needs an AWS tier"],
    ),
    (
        "unpinned image",
        raw_values("dev", airflow={"image": {"tag": "latest"}}),
        "airflow.image.tag",
        ["not a pinned tag"],
    ),
    ("airflow 2", raw_values("dev", airflow={"version": "2.10.5"}), "airflow.version", ["pattern"]),
    (
        "limit below request",
        raw_values(
            "dev",
            scheduler={
                "resources": {"requests": {"cpu": "2", "memory": "2Gi"}, "limits": {"cpu": "1", "memory": "4Gi"}}
            },
        ),
        "scheduler.resources.limits.cpu",
        ["below the request 2"],
    ),
    (
        "workers min above max",
        raw_values("prod", celery={"workers": {"minReplicas": 5, "maxReplicas": 2}}),
        "celery.workers.minReplicas",
        ["above celery.workers.maxReplicas (2)"],
    ),
    (
        "bad CIDR",
        raw_values("dev", kubernetes={"ingress": {"enabled": True, "sourceCidrs": ["10.0.0.0/33"]}}),
        "kubernetes.ingress.sourceCidrs[0]",
        ["not a CIDR block"],
    ),
    (
        "kit-managed airflow option",
        raw_values("dev", airflow={"config": {"core": {"parallelism": 512}}}),
        "airflow.config.core.parallelism",
        ["use tuning.parallelism"],
    ),
    (
        "credential in plain config",
        raw_values("dev", dags={"source": "git-sync", "git": {"url": "https://bot:hunter2@git.example.com/dags.git"}}),
        "dags.git.url",
        ["password", "--secret"],
    ),
    (
        "slack url in plain config",
        raw_values("dev", airflow={"config": {"x": {"y": "https://hooks.slack.com/services/T0/B0/abc"}}}),
        "airflow.config.x.y",
        ["Slack webhook URL"],
    ),
]


@pytest.mark.parametrize(("config", "key", "fragments"), [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_rule_names_the_key(config, key, fragments):
    assert_refused(config, key, *fragments)


def test_secret_given_in_plaintext_is_refused():
    config = raw_values("dev", slack={"enabled": True}, slackWebhookUrl="https://hooks.example.com/T0/B0/x")
    message = assert_refused(config, "slackWebhookUrl", "plaintext", "pulumi config set --secret slackWebhookUrl")
    assert "hooks.example.com" not in message  # the report itself never repeats the secret


def test_report_never_repeats_a_credential_even_in_a_type_error():
    config = raw_values("dev", openlineage={"enabled": True, "url": "ftp://lineage:hunter2@lineage.example.com"})
    with pytest.raises(ConfigError) as raised:
        load_stack_config("test", config)
    report = raised.value.report()
    assert f"{P}:openlineage.url" in report
    assert "hunter2" not in report


def test_same_secret_set_with_secret_flag_is_accepted():
    config = raw_values("dev", slack={"enabled": True}, slackWebhookUrl="https://hooks.example.com/T0/B0/x")
    cfg = load_stack_config("test", config, secret_keys=[f"{P}:slackWebhookUrl"])
    assert cfg.secrets.slack_webhook_url.get_secret_value() == "https://hooks.example.com/T0/B0/x"
    assert "hooks.example.com" not in repr(cfg)


def test_every_mistake_is_reported_at_once():
    config = raw_values(
        "prod",
        executor="DaskExecutor",
        scheduler={"replicas": 1, "replcas": 2},
        database={"multiAz": False, "backupRetentionDays": "a week"},
        schedular={},
        slackWebhookUrl="https://hooks.slack.com/services/T/B/c",
    )
    problems = problems_of(config)
    assert {
        "executor",
        "scheduler.replcas",
        "database.backupRetentionDays",
        "schedular",
        "slackWebhookUrl",
    } <= set(problems)
    with pytest.raises(ConfigError) as raised:
        load_stack_config("prod", config)
    report = raised.value.report()
    assert report.startswith(f"{len(raised.value.problems)} problems in the config for stack 'prod'")
    assert f"{P}:scheduler.replcas" in report
    assert f"{P}:executor" in report
    assert "Nothing was created" in report


def test_rules_still_run_when_another_section_is_broken():
    problems = problems_of(raw_values("prod", database={"instanceClass": "big"}, scheduler={"replicas": 1}))
    assert "database.instanceClass" in problems
    assert "scheduler.replicas" in problems


def test_values_as_the_pulumi_runtime_passes_them():
    """The CLI hands objects over as JSON strings and scalars as strings."""
    config = {
        f"{P}:tier": "prod",
        f"{P}:aws": '{"region": "eu-west-1", "vpcId": "vpc-0abc", "privateSubnetIds": ["subnet-0a", "subnet-0b"], '
        '"eksClusterName": "c"}',
        f"{P}:scheduler": '{"replicas": "3"}',
        f"{P}:database": '{"multiAz": "true"}',
    }
    cfg = load_stack_config("prod", config)
    assert cfg.scheduler.replicas == 3
    assert cfg.database.multi_az is True


def test_executor_spacing_is_normalised_for_the_chart():
    cfg = load_stack_config("s", raw_values("staging", executor="CeleryExecutor, KubernetesExecutor"))
    assert cfg.executor == "CeleryExecutor,KubernetesExecutor"
    assert cfg.uses_celery
    assert cfg.uses_kubernetes_executor


def test_tier_defaults_fill_what_the_stack_leaves_out():
    prod = load_stack_config("p", raw_values("prod"))
    dev = load_stack_config("d", raw_values("dev"))
    assert prod.database.multi_az
    assert not dev.database.multi_az
    assert prod.scheduler.replicas >= 2
    assert dev.scheduler.replicas == 1
    assert prod.secrets_backend.connections_prefix == "airflow/p/connections"
    assert load_stack_config("l", raw_values("local")).database is None
