"""checkov on the manifests of every shipped stack (chart and kit objects), plus two variants: every
finding must be on the allow-list with its reason, and no allow-list entry may outlive its finding.

One render per stack, one checkov run over the whole directory (module-scoped): about 15 seconds.
Reproduce by hand: ``.venv-checkov/bin/checkov -d <dir> --framework kubernetes --skip-download``.
"""

from __future__ import annotations

import copy
from fnmatch import fnmatchcase

import pytest

from components.config.stackfile import StackFile
from tests.support.checkov import ALLOWLIST, Scan, allowlist, run_checkov
from tests.support.manifests import SHIPPED_STACKS, manifests_of, shipped_manifests
from tests.support.stacks import shipped

DIGEST = "sha256:" + "ab" * 32
PINNED = "prod-pinned"
GIT_SYNC = "dev-git-sync"


def pinned_prod() -> StackFile:
    """The shipped prod stack with the Airflow image and the chart's other images pinned by digest."""
    stack_file = shipped("prod")
    values = copy.deepcopy(stack_file.values)
    airflow = values["airflow-ha:airflow"]
    airflow["image"]["digest"] = DIGEST
    airflow["chartImageDigests"] = {"statsd": DIGEST, "pgbouncer": DIGEST, "pgbouncerExporter": DIGEST}
    return StackFile(PINNED, values, stack_file.secret_keys)


def git_sync_dev() -> StackFile:
    stack_file = shipped("dev")
    values = copy.deepcopy(stack_file.values)
    values["airflow-ha:dags"]["source"] = "git-sync"
    return StackFile(GIT_SYNC, values, stack_file.secret_keys)


@pytest.fixture(scope="module")
def scan(tmp_path_factory) -> Scan:
    directory = tmp_path_factory.mktemp("manifests")
    for name in SHIPPED_STACKS:
        (directory / f"{name}.yaml").write_text(shipped_manifests(name).as_yaml())
    for stack_file in (pinned_prod(), git_sync_dev()):
        (directory / f"{stack_file.stack}.yaml").write_text(manifests_of(stack_file).as_yaml())
    return run_checkov(directory)


STACKS = (*SHIPPED_STACKS, PINNED, GIT_SYNC)


def test_checkov_ran_on_every_stack(scan):
    judged = {finding.stack for finding in scan.passed | scan.failed}
    assert judged == set(STACKS)
    assert scan.summary["parsing_errors"] == 0


def test_every_finding_is_on_the_allowlist_with_its_reason(scan):
    entries = allowlist(STACKS)
    assert all(entry.reason for entry in entries), f"every entry of {ALLOWLIST.name} needs a reason"
    unexplained = sorted(f for f in scan.failed if not any(entry.covers(f) for entry in entries))
    assert unexplained == [], "\n".join(f"{f.stack}: {f.check} {f.resource}" for f in unexplained)


def test_no_allowlist_entry_outlives_its_finding(scan):
    stale = [
        f"{entry.check} {pattern}"
        for entry in allowlist(STACKS)
        for pattern in entry.resources
        if not any(
            f.check == entry.check and f.stack in entry.stacks and fnmatchcase(f.resource, pattern) for f in scan.failed
        )
    ]
    assert stale == [], f"remove from {ALLOWLIST.name}: {stale}"


def test_images_pinned_by_digest_pass_the_digest_and_pull_policy_checks(scan):
    pinned = {f for f in scan.failed | scan.passed if f.stack == PINNED and f.check in ("CKV_K8S_43", "CKV_K8S_15")}
    assert pinned, "checkov judged no image of the pinned stack"
    assert {f for f in pinned if f in scan.failed} == set()
    judged = {f.resource for f in pinned if f.check == "CKV_K8S_43"}
    assert {"Deployment.airflow.airflow-scheduler", "Deployment.airflow.airflow-statsd"} <= judged
    assert any(resource.startswith("Job.airflow.airflow-migrate-") for resource in judged)


@pytest.mark.parametrize("check", ["CKV_K8S_22", "CKV_K8S_11", "CKV_K8S_13", "CKV_K8S_21"])
def test_prod_has_no_writable_root_filesystem_unlimited_container_or_default_namespace(scan, check):
    assert [f.resource for f in scan.failed if f.stack in ("prod", "staging", "dev") and f.check == check] == []
