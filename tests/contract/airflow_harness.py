"""Run the real Airflow, configured as the kit configures it, in subprocesses.

Airflow reads the kit's ``{section: {key: value}}`` config from ``airflow.cfg`` in a temporary
``AIRFLOW_HOME`` (the chart renders the same dict into the ConfigMap's ``airflow.cfg``), and the
kit's environment variables (chart ``env`` and ``secret``) from the process environment.
Stand-ins listen on 127.0.0.1 on a free port and are stopped by their PID.
"""

from __future__ import annotations

import configparser
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from components.config.model import StackConfig
from components.integrations.chart_inputs import integration_chart_inputs
from components.integrations.secret_env import secret_envs
from components.naming import Names
from components.tuning.derive import derive_tuning
from components.values.airflow_config import compose_airflow_config
from components.values.refs import InfraRefs

REPO = Path(__file__).resolve().parents[2]
CHART_VALUES = REPO / "charts-values"
STANDINS = Path(__file__).with_name("local_standins.py")
AIRFLOW_TIMEOUT_SECONDS = 240


def effective_airflow_config(cfg: StackConfig) -> dict[str, dict[str, object]]:
    """The whole config the kit puts in the chart's ``config`` for ``cfg``."""
    refs = InfraRefs(
        aws_region=cfg.aws.region if cfg.aws else None,
        logs_bucket=f"{cfg.stack}-airflow-logs" if cfg.on_aws else None,
        role_arns={},
    )
    return compose_airflow_config(cfg, derive_tuning(cfg), refs)


def kit_environment(cfg: StackConfig) -> dict[str, str]:
    """The env vars the chart gives every Airflow container for ``cfg``: ``env`` plus ``secret``.

    Values of ``secret`` entries are what the kit writes into the Kubernetes Secrets.
    """
    names = Names(release=cfg.kubernetes.release_name, namespace=cfg.kubernetes.namespace)
    inputs = integration_chart_inputs(cfg, names)
    values = {env.env_name: env.value for env in secret_envs(cfg)}
    environment = {item["name"]: item["value"] for item in inputs.env}
    for item in inputs.secret_env:
        environment[item["envName"]] = values[item["envName"]]
    return environment


def _cfg_value(value: object) -> str:
    return str(value)  # True/False as Airflow's own default config writes them


@dataclass
class AirflowHome:
    """A temporary ``AIRFLOW_HOME`` holding the kit's config, and how to run Airflow in it."""

    path: Path
    extra_env: dict[str, str]

    @classmethod
    def create(
        cls, path: Path, config: Mapping[str, Mapping[str, object]], env: Mapping[str, str] = ()
    ) -> AirflowHome:
        path.mkdir(parents=True, exist_ok=True)
        (path / "dags").mkdir(exist_ok=True)
        parser = configparser.ConfigParser(interpolation=None)
        for section, options in config.items():
            parser[section] = {key: _cfg_value(value) for key, value in options.items()}
        with (path / "airflow.cfg").open("w") as stream:
            parser.write(stream)
        return cls(path, dict(env))

    def environment(self, **overrides: str) -> dict[str, str]:
        foreign = ("AIRFLOW", "AWS_", "VAULT_", "OPENLINEAGE")  # only what the test sets may configure Airflow
        inherited = {k: v for k, v in os.environ.items() if not k.startswith(foreign)}
        return {
            **inherited,
            "AIRFLOW_HOME": str(self.path),
            "AIRFLOW_CONFIG": str(self.path / "airflow.cfg"),
            "AIRFLOW__CORE__DAGS_FOLDER": str(self.path / "dags"),
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{self.path / 'airflow.db'}",
            "PYTHONPATH": str(CHART_VALUES),  # where the chart mounts airflow_local_settings.py
            **self.extra_env,
            **overrides,
        }

    def run(self, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, *args],
            env=self.environment(**env),
            cwd=self.path,
            capture_output=True,
            text=True,
            timeout=AIRFLOW_TIMEOUT_SECONDS,
        )

    def python(self, code: str, **env: str) -> dict:
        """Run ``code`` in real Airflow; it prints one JSON document as its last line of output."""
        done = self.run("-c", code, **env)
        if done.returncode != 0:
            raise AssertionError(f"Airflow subprocess failed ({done.returncode}):\n{done.stderr[-4000:]}")
        return json.loads(done.stdout.strip().splitlines()[-1])

    def airflow(self, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
        return self.run("-m", "airflow", *args, **env)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for_port(port: int, process: subprocess.Popen, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"stand-in exited early with code {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {timeout}s")


@contextmanager
def listening(command: list[str], port: int, log: Path) -> Iterator[int]:
    """Start ``command`` (which must bind 127.0.0.1:``port``), yield its PID, stop it by PID."""
    with log.open("w") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)
    try:
        _wait_for_port(port, process)
        yield process.pid
    finally:
        os.kill(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait()


@contextmanager
def recorder(workdir: Path, name: str) -> Iterator[tuple[str, Path]]:
    """An HTTP receiver recording every POST; yields its base URL and its JSON-lines log."""
    port = free_port()
    log = workdir / f"{name}.jsonl"
    log.touch()
    with listening([sys.executable, str(STANDINS), "recorder", str(port), str(log)], port, workdir / f"{name}.out"):
        yield f"http://127.0.0.1:{port}", log


@contextmanager
def vault_standin(workdir: Path, spec: dict) -> Iterator[tuple[str, Path]]:
    port = free_port()
    log = workdir / "vault-requests.jsonl"
    log.touch()
    spec_file = workdir / "vault-spec.json"
    spec_file.write_text(json.dumps({**spec, "log": str(log)}))
    with listening([sys.executable, str(STANDINS), "vault", str(port), str(spec_file)], port, workdir / "vault.out"):
        yield f"http://127.0.0.1:{port}", log


@contextmanager
def moto_server(workdir: Path) -> Iterator[str]:
    port = free_port()
    command = [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]
    with listening(command, port, workdir / "moto.out"):
        yield f"http://127.0.0.1:{port}"


def records(log: Path) -> list[dict]:
    return [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
