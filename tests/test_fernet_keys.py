"""Fernet keys under Pulumi's mock engine: a rotation stated as a generation number, every
generation kept, and in the AWS tiers a retained key store a new stack adopts with the database."""

from __future__ import annotations

import json
from typing import Any

import pytest
from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from components.config.errors import PROJECT
from components.naming.aws import AwsNames
from components.plan.engine import SECRET, EngineRun, run_under_mocks
from components.plan.standins import aws as aws_standins
from tests.support.programs import KMS_KEY_ARN, ValueMocks, airflow_program, run_data_plane
from tests.support.stacks import problems, shipped_stack, stack

SECRET_TYPE = "kubernetes:core/v1:Secret"
STORE = "aws:secretsmanager/secret:Secret"
STORE_VALUE = "aws:secretsmanager/secretVersion:SecretVersion"
RANDOM_ID = "random:index/randomId:RandomId"
RANDOM_BYTES = "random:index/randomBytes:RandomBytes"
RETAINED_DB_KEY = "arn:aws:kms:eu-west-1:123456789012:key/db-0001"
RETAINED_LOGS_KEY = "arn:aws:kms:eu-west-1:123456789012:key/logs-0001"


def run(cfg) -> tuple[EngineRun, ValueMocks]:
    mocks = ValueMocks()
    engine_run = run_under_mocks(airflow_program(cfg), project=PROJECT, stack=cfg.stack, config={}, mocks=mocks)
    return engine_run, mocks


def fernet_keys(mocks: ValueMocks) -> list[str]:
    """``[core] fernet_key`` as the chart's pods read it from the kit's Secret."""
    return mocks.inputs["test-airflow-fernet-key"]["stringData"]["fernet-key"].split(",")


def prod(**airflow: Any):
    return shipped_stack("prod") if not airflow else stack("prod", airflow=airflow)


def test_generation_one_is_one_key_from_the_stacks_first_generator():
    engine_run, mocks = run(stack("staging"))
    [key] = fernet_keys(mocks)
    Fernet(key.encode())
    assert [r.name for r in engine_run.of_type(RANDOM_ID) if "fernet" in r.name] == ["test-airflow-fernet-key-random"]
    assert not engine_run.of_type(RANDOM_BYTES)


def test_a_new_generation_puts_a_new_key_first_and_keeps_the_previous_second():
    _, before = run(stack("staging"))
    engine_run, after = run(stack("staging", airflow={"fernetKeyGeneration": 2}))
    [old] = fernet_keys(before)
    new, previous = fernet_keys(after)
    assert previous == old  # the first generator is untouched: same name, same type, same value
    assert new != old
    token = Fernet(old.encode()).encrypt(b"connection password")
    rotated = MultiFernet([Fernet(key.encode()) for key in (new, previous)])
    assert rotated.decrypt(token) == b"connection password"  # what was encrypted before stays readable
    assert rotated.rotate(token)
    assert Fernet(new.encode()).decrypt(rotated.rotate(token)) == b"connection password"
    assert engine_run.named("test-airflow-fernet-key-random").type == RANDOM_ID
    assert engine_run.named("test-airflow-fernet-key-g2-random").inputs["length"] == 32


def test_retiring_drops_the_older_keys_from_airflow_but_keeps_their_generators():
    _, rotating = run(stack("staging", airflow={"fernetKeyGeneration": 3, "fernetKeyRetiredThrough": 1}))
    engine_run, retired = run(stack("staging", airflow={"fernetKeyGeneration": 3, "fernetKeyRetiredThrough": 2}))
    newest, previous = fernet_keys(rotating)
    assert fernet_keys(retired) == [newest]
    with pytest.raises(InvalidToken):
        Fernet(newest.encode()).decrypt(Fernet(previous.encode()).encrypt(b"x"))
    # No generator is ever deleted: a snapshot from before a rotation still needs its key.
    names = {r.name for r in engine_run.registrations if r.type in (RANDOM_ID, RANDOM_BYTES)}
    assert {"test-airflow-fernet-key-random", "test-airflow-fernet-key-g2-random"} <= names
    assert "test-airflow-fernet-key-g3-random" in names


def test_every_generation_is_guarded_like_the_database_in_prod():
    engine_run, _ = run(prod(fernetKeyGeneration=2))
    for name in ("test-airflow-fernet-key-random", "test-airflow-fernet-key-g2-random", "test-airflow-fernet-key"):
        assert engine_run.named(name).protect, name
        assert engine_run.named(name).retain_on_delete, name
    dev_run, _ = run(stack("dev", airflow={"fernetKeyGeneration": 2}))
    assert not dev_run.named("test-airflow-fernet-key-g2-random").protect


def test_the_aws_tiers_keep_every_generation_in_a_retained_encrypted_store():
    cfg = prod(fernetKeyGeneration=2)
    engine_run, mocks = run(cfg)
    [store] = engine_run.of_type(STORE)
    names = AwsNames(cfg.kubernetes.release_name, cfg.stack, "16")
    assert store.inputs["name"] == names.fernet_key_store == f"airflow-ha/{names.base}/fernet-keys"
    assert store.inputs["kmsKeyId"] == KMS_KEY_ARN
    assert store.protect
    assert store.retain_on_delete
    assert store.inputs["recoveryWindowInDays"] == 0
    [value] = engine_run.of_type(STORE_VALUE)
    assert value.inputs["secretString"] == SECRET  # never in the clear in state or in the plan
    assert value.retain_on_delete
    assert not value.protect
    document = json.loads(mocks.inputs[value.name]["secretString"])
    new, previous = fernet_keys(mocks)
    assert document["fernet_key"] == f"{new},{previous}"
    assert document["generation"] == 2
    assert document["keys"] == {"1": previous, "2": new}
    # The cluster gets a new key only once it is kept where a teardown cannot lose it.
    assert value.name in engine_run.named("test-airflow-fernet-key").depends_on


def test_the_store_is_encrypted_with_the_databases_own_key():
    named = run_data_plane("prod", database={"kmsKeyArn": RETAINED_DB_KEY})
    assert named.outputs.fernet_key_store.kms_key_arn == RETAINED_DB_KEY
    kit = run_data_plane("prod")
    [key] = kit.of_type("aws:kms/key:Key")
    assert kit.outputs.fernet_key_store.kms_key_arn is not None
    assert kit.outputs.fernet_key_store.adopt is False
    assert key.protect


def test_a_stack_adopting_a_retained_database_imports_the_store_and_uses_its_keys():
    cfg = stack(
        "prod",
        database={"adoptRetained": True, "kmsKeyArn": RETAINED_DB_KEY},
        logs={"kmsKeyArn": RETAINED_LOGS_KEY},
        airflow={"fernetKeyGeneration": 2},
    )
    engine_run, mocks = run(cfg)
    [store] = engine_run.of_type(STORE)
    assert store.import_id == store.inputs["name"]
    assert "recoveryWindowInDays" in store.ignore_changes
    retained = json.loads(
        aws_standins.CALLS["aws:secretsmanager/getSecretVersion:getSecretVersion"]({"secretId": store.inputs["name"]})[
            "secretString"
        ]
    )["keys"]["1"]
    new, previous = fernet_keys(mocks)
    assert previous == retained  # the retained data's key, not the new stack's own first generator
    assert new != retained
    document = json.loads(mocks.inputs["test-airflow-fernet-key-store-value"]["secretString"])
    assert document["keys"] == {"1": retained, "2": new}


def test_the_local_tier_keeps_its_keys_in_kubernetes_only():
    engine_run, mocks = run(stack("local", airflow={"fernetKeyGeneration": 2}))
    assert not engine_run.of_type(STORE)
    assert len(fernet_keys(mocks)) == 2


def test_a_generation_raised_without_retiring_keeps_every_earlier_key():
    """A hand edit that raises the generation twice drops nothing Airflow may still need."""
    _, first = run(stack("staging"))
    _, second = run(stack("staging", airflow={"fernetKeyGeneration": 2}))
    _, third = run(stack("staging", airflow={"fernetKeyGeneration": 3}))
    assert fernet_keys(third)[1:] == fernet_keys(second)
    assert fernet_keys(third)[-1] == fernet_keys(first)[0]


def test_retiring_the_current_key_is_refused_at_its_key():
    found = dict(problems("staging", airflow={"fernetKeyGeneration": 2, "fernetKeyRetiredThrough": 2}))
    assert "airflow.fernetKeyGeneration 2" in found["airflow.fernetKeyRetiredThrough"]
    assert "at most 1" in found["airflow.fernetKeyRetiredThrough"]
    found = dict(problems("staging", airflow={"fernetKeyGeneration": 0}))
    assert "airflow.fernetKeyGeneration" in found
