"""What `pulumi up` does to the fernet key Airflow reads, for `keys rotate-fernet` tests without a cloud.

    python -m tests.ops.deploy_standin STACK_FILE AIRFLOW_CFG

Runs the kit's real Kubernetes layer under the mock engine for the stack file as it stands, takes
the value the kit's Secret ``<release>-fernet-key`` would hold (the chart hands it to every pod as
``[core] fernet_key``), and writes it into ``AIRFLOW_CFG``, as the rolled pods would see it.
The mock engine's generated keys are deterministic per generator, like a stack's state.
"""

from __future__ import annotations

import configparser
import sys
from pathlib import Path

from components.config.errors import PROJECT
from components.config.stackfile import read_stack_file
from components.plan.engine import run_under_mocks
from components.validation import validated_stack_config
from tests.support.programs import ValueMocks, airflow_program


def deployed_fernet_key(stack_file: Path) -> str:
    read = read_stack_file(stack_file)
    cfg = validated_stack_config(read.stack, read.values, read.secret_keys)
    mocks = ValueMocks()
    run_under_mocks(airflow_program(cfg), project=PROJECT, stack=cfg.stack, config={}, mocks=mocks)
    return str(mocks.inputs["test-airflow-fernet-key"]["stringData"]["fernet-key"])


def main(stack_file: str, airflow_cfg: str) -> None:
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(airflow_cfg)
    if not parser.has_section("core"):
        parser.add_section("core")
    parser["core"]["fernet_key"] = deployed_fernet_key(Path(stack_file))
    with open(airflow_cfg, "w") as stream:
        parser.write(stream)


if __name__ == "__main__":
    main(*sys.argv[1:])
