"""Real Airflow, configured exactly as the kit configures it, in subprocesses.

Airflow reads the kit's ``{section: {key: value}}`` config from ``airflow.cfg`` in a temporary
``AIRFLOW_HOME`` (the chart renders the same dict into the ConfigMap's ``airflow.cfg``), and the
kit's environment variables (chart ``env`` and ``secret``) from the process environment. Long-running
components (scheduler, api-server, dag-processor, triggerer, Celery workers) run in a
``ProcessGroup`` and are stopped by PID.
"""

from __future__ import annotations

import configparser
import json
import os
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from components.config.model import StackConfig
from components.naming.kubernetes import Names
from components.tuning.derive import derive_tuning
from components.values.airflow_config import compose_airflow_config
from components.values.integrations import integration_chart_inputs, integration_specs, secret_envs
from components.values.refs import AwsRefs

from .paths import REPO
from .processes import ProcessGroup, free_port, port_open

CHART_VALUES = REPO / "charts-values"
AIRFLOW_TIMEOUT_SECONDS = 240
STARTUP_TIMEOUT_SECONDS = 120


def effective_airflow_config(cfg: StackConfig) -> dict[str, dict[str, object]]:
    """The whole config the kit puts in the chart's ``config`` for ``cfg``."""
    refs = AwsRefs(region=cfg.aws.region, logs_bucket=f"{cfg.stack}-airflow-logs") if cfg.aws else None
    return compose_airflow_config(cfg, derive_tuning(cfg), refs)


def kit_environment(cfg: StackConfig) -> dict[str, str]:
    """The env vars the chart gives every Airflow container for ``cfg``: ``env`` plus ``secret``.

    Values of ``secret`` entries are what the kit writes into the Kubernetes Secrets.
    """
    names = Names(release=cfg.kubernetes.release_name, namespace=cfg.kubernetes.namespace)
    specs = integration_specs(cfg)
    inputs = integration_chart_inputs(specs, names)
    values = {env.env_name: env.value for env in secret_envs(specs)}
    environment = {item["name"]: item["value"] for item in inputs.env}
    for item in inputs.secret_env:
        environment[item["envName"]] = values[item["envName"]]
    return environment


@dataclass
class AirflowHome:
    """A temporary ``AIRFLOW_HOME`` holding the kit's config, and how to run Airflow in it."""

    path: Path
    extra_env: dict[str, str] = field(default_factory=dict)

    @classmethod
    def create(
        cls, path: Path, config: Mapping[str, Mapping[str, object]], env: Mapping[str, str] | None = None
    ) -> AirflowHome:
        path.mkdir(parents=True, exist_ok=True)
        (path / "dags").mkdir(exist_ok=True)
        parser = configparser.ConfigParser(interpolation=None)
        for section, options in config.items():
            parser[section] = {key: str(value) for key, value in options.items()}  # True/False as Airflow writes them
        with (path / "airflow.cfg").open("w") as stream:
            parser.write(stream)
        return cls(path, dict(env or {}))

    @property
    def dags(self) -> Path:
        return self.path / "dags"

    def environment(self, **overrides: str) -> dict[str, str]:
        foreign = ("AIRFLOW", "AWS_", "VAULT_", "OPENLINEAGE")  # only what the test sets may configure Airflow
        inherited = {k: v for k, v in os.environ.items() if not k.startswith(foreign)}
        return {
            **inherited,
            "AIRFLOW_HOME": str(self.path),
            "AIRFLOW_CONFIG": str(self.path / "airflow.cfg"),
            "AIRFLOW__CORE__DAGS_FOLDER": str(self.dags),
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{self.path / 'airflow.db'}",
            "PYTHONPATH": str(CHART_VALUES),  # where the chart mounts airflow_local_settings.py
            **self.extra_env,
            **overrides,
        }

    def run(self, *args: str, timeout: float = AIRFLOW_TIMEOUT_SECONDS, **env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, *args],
            env=self.environment(**env),
            cwd=self.path,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def python(self, code: str, **env: str) -> dict:
        """Run ``code`` in real Airflow; it prints one JSON document as its last line of output."""
        done = self.run("-c", code, **env)
        if done.returncode != 0:
            raise AssertionError(f"Airflow subprocess failed ({done.returncode}):\n{done.stderr[-4000:]}")
        return json.loads(done.stdout.strip().splitlines()[-1])

    def airflow(self, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
        return self.run("-m", "airflow", *args, **env)

    def checked_airflow(self, *args: str, **env: str) -> str:
        done = self.airflow(*args, **env)
        if done.returncode != 0:
            raise AssertionError(f"airflow {' '.join(args)} failed ({done.returncode}):\n{done.stderr[-4000:]}")
        return done.stdout


@dataclass
class AirflowProcesses:
    """Airflow's long-running components for one home, in one process group."""

    home: AirflowHome
    group: ProcessGroup
    env: dict[str, str]
    api_port: int = field(default_factory=free_port)

    @classmethod
    def for_home(cls, home: AirflowHome, **env: str) -> AirflowProcesses:
        processes = cls(home, ProcessGroup(home.path / "logs" / "processes"), {})
        processes.env = home.environment(
            AIRFLOW__API__HOST="127.0.0.1",
            AIRFLOW__API__PORT=str(processes.api_port),
            AIRFLOW__CORE__EXECUTION_API_SERVER_URL=f"http://127.0.0.1:{processes.api_port}/execution/",
            **env,
        )
        return processes

    def __enter__(self) -> AirflowProcesses:
        return self

    def __exit__(self, *exc: object) -> None:
        self.group.stop_all()

    def start(self, name: str, *args: str, **env: str) -> None:
        """``airflow <args>`` as ``name`` (``scheduler``, ``celery worker -q heavy``...)."""
        self.group.start(name, [sys.executable, "-m", "airflow", *args], {**self.env, **env}, cwd=self.home.path)

    def migrate(self) -> None:
        """``airflow db migrate``, failing with Airflow's own error."""
        migrated = self.airflow("db", "migrate")
        if migrated.returncode != 0:
            raise RuntimeError(f"airflow db migrate failed:\n{migrated.stderr[-3000:]}")

    def start_components(self, *components: str) -> None:
        """``airflow <component>`` for each (``api-server``, ``scheduler``, ...), named after it."""
        for component in components:
            self.start(component, component)

    def wait_for_api_server(self) -> None:
        self.group.wait_for("the api-server", lambda: port_open(self.api_port), STARTUP_TIMEOUT_SECONDS)

    def airflow(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "airflow", *args],
            env=self.env,
            cwd=self.home.path,
            capture_output=True,
            text=True,
            timeout=AIRFLOW_TIMEOUT_SECONDS,
            check=False,
        )
