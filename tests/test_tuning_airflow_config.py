"""The derived settings reach the Airflow config under option names real Airflow knows."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys

import pytest

from components.tuning.airflow_options import tuning_airflow_options
from components.tuning.derive import derive_tuning
from components.values.airflow_config import compose_airflow_config
from components.values.refs import AwsRefs
from tests.support.paths import SHIPPED_STACKS
from tests.support.stacks import stack


def fragment_of(tier: str, **sections):
    cfg = stack(tier, **sections)
    tuning = derive_tuning(cfg)
    return cfg, tuning, tuning_airflow_options(tuning, cfg)


def test_celery_stack_sets_worker_concurrency_and_no_kubernetes_option():
    _, _, fragment = fragment_of("prod")
    assert fragment["celery"] == {"worker_concurrency": 15}
    assert "kubernetes_executor" not in fragment
    assert fragment["core"] == {
        "parallelism": 135,  # 135 slots, one scheduler of 2 must reach them all
        "max_active_tasks_per_dag": 16,
        "max_active_runs_per_dag": 16,
        "default_pool_task_slot_count": 135,
    }
    assert fragment["database"] == {"sql_alchemy_pool_size": 5, "sql_alchemy_max_overflow": 10}
    assert fragment["dag_processor"] == {"parsing_processes": 2}


def test_kubernetes_stack_sets_the_batch_size_and_no_celery_option():
    _, _, fragment = fragment_of("dev")
    assert fragment["kubernetes_executor"] == {"worker_pods_creation_batch_size": 4}
    assert "celery" not in fragment


def test_both_executors_get_both_options():
    _, _, fragment = fragment_of("staging")
    assert fragment["celery"] == {"worker_concurrency": 7}
    assert fragment["kubernetes_executor"] == {"worker_pods_creation_batch_size": 8}


def test_overrides_reach_the_airflow_config():
    cfg, tuning, _ = fragment_of(
        "prod", tuning={"parallelism": 300, "defaultPoolTaskSlotCount": 900}, celery={"workers": {"concurrency": 12}}
    )
    composed = compose_airflow_config(cfg, tuning, AwsRefs(region="eu-west-1", logs_bucket="logs"))
    assert composed["core"]["parallelism"] == 300
    assert composed["core"]["default_pool_task_slot_count"] == 900
    assert composed["celery"]["worker_concurrency"] == 12


def _python_with_airflow() -> str:
    if importlib.util.find_spec("airflow") is None:
        pytest.skip("real Airflow is not installed in this environment (requirements-dev.txt installs it)")
    return sys.executable


def test_real_airflow_knows_every_option(tmp_path):
    used: dict[str, set[str]] = {}
    for tier in SHIPPED_STACKS:
        _, _, fragment = fragment_of(tier)
        for section, options in fragment.items():
            used.setdefault(section, set()).update(options)
    probe = """
import json, sys
from airflow.configuration import conf
from tests.support.paths import SHIPPED_STACKS
from tests.support.stacks import stack
wanted = json.loads(sys.argv[1])
known = {section: set(described.get("options", {})) for section, described in conf.configuration_description.items()}
print(json.dumps({section: sorted(set(keys) - known.get(section, set())) for section, keys in wanted.items()}))
"""
    result = subprocess.run(
        [_python_with_airflow(), "-c", probe, json.dumps({s: sorted(k) for s, k in used.items()})],
        env={**os.environ, "AIRFLOW_HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    unknown = json.loads(result.stdout.strip().splitlines()[-1])
    assert {"celery", "kubernetes_executor", "core", "database", "dag_processor"} <= set(used)
    assert unknown == {section: [] for section in used}
