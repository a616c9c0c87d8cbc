"""Wall time of a DAG of I/O-bound tasks under stock Airflow settings and under the kit's derived ones.

Real Airflow (the version the stacks deploy) on this machine, CeleryExecutor as the stacks run it:
a private PostgreSQL cluster and a Redis broker, both started here on 127.0.0.1 and free ports,
then per configuration a fresh database, ``airflow db migrate``, an api-server (the Execution
API), a scheduler, a dag-processor and one Celery worker. The DAG has ``--tasks`` tasks that each
sleep ``--sleep`` seconds, as real tasks wait on warehouses and APIs. Every process started here
is stopped by its PID when the run ends, whatever happens.

The two configurations:

- stock: Airflow's defaults (16 tasks per DAG, worker_concurrency 16, parallelism 32);
- kit: ``tuning_airflow_config(derive_tuning(cfg), cfg)`` for the workload declared in
  ``declared_workload()``, sized to a 2-core, 24 GiB machine.

    .venv/bin/python benchmarks/throughput.py [--tasks 100] [--sleep 10]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from components.config.loader import load_stack_config
from components.config.model import StackConfig
from components.tuning.airflow_config import tuning_airflow_config
from components.tuning.derive import derive_tuning

DAG_ID = "throughput"
DB_USER = "airflow"
# The benchmark's PostgreSQL allows this many connections; the declared workload says so.
PG_MAX_CONNECTIONS = 300
API_WORKERS = 2
STARTUP_TIMEOUT = 120
MIGRATE_TIMEOUT = 240
STOP_TIMEOUT = 20

DAG_SOURCE = """
import time
from datetime import datetime

from airflow.sdk import dag, task


@dag(dag_id="{dag_id}", schedule=None, start_date=datetime(2024, 1, 1), catchup=False)
def throughput():
    @task
    def wait(seconds: int) -> None:
        time.sleep(seconds)  # a warehouse query, an API call

    for number in range({tasks}):
        wait.override(task_id=f"wait_{{number:03d}}")({sleep})


throughput()
"""


def declared_workload() -> StackConfig:
    """A stack whose workers are this machine: 2 cores and 24 GiB, with waiting (I/O-bound) tasks.

    A task's CPU request is what it burns on average over its life, Airflow's own work for it
    included (worker fork and supervisor, Execution API calls, scheduling, the database's share:
    the benchmark prints the measured CPU-seconds per task). 40m over a 30 s wait leaves room
    for bursts of task starts: one worker of 2 CPUs runs 50 at once. ``database.maxConnections``
    is the local server's.
    """
    values: dict[str, Any] = {
        "tier": "dev",
        "executor": "CeleryExecutor",
        "aws": {
            "region": "eu-west-1",
            "vpcId": "vpc-0123456789abcdef0",
            "privateSubnetIds": ["subnet-0123456789abcdef0"],
            "eksClusterName": "benchmark",
        },
        "scheduler": {"replicas": 1},
        "apiServer": {"replicas": 1, "workers": API_WORKERS},
        "dagProcessor": {"replicas": 1, "resources": _sized("1", "2Gi")},
        "pgbouncer": {"enabled": False},
        "celery": {"workers": {"keda": False, "resources": _sized("2", "16Gi")}},
        "workload": {
            "peakRunningTasks": 50,
            "maxActiveRunsPerDag": 4,
            "maxActiveTasksPerDag": 50,
            "taskResources": _sized("40m", "128Mi"),
        },
        "database": {"maxConnections": PG_MAX_CONNECTIONS},
    }
    return load_stack_config("throughput-benchmark", {f"airflow-ha:{key}": value for key, value in values.items()})


def _sized(cpu: str, memory: str) -> dict[str, Any]:
    return {"requests": {"cpu": cpu, "memory": memory}, "limits": {"cpu": cpu, "memory": memory}}


def kit_settings() -> dict[str, dict[str, Any]]:
    cfg = declared_workload()
    return tuning_airflow_config(derive_tuning(cfg), cfg)


# --- processes ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Processes:
    """Long-running processes this script started, each in its own process group, stopped by PID."""

    def __init__(self, logs: Path):
        self.logs = logs
        self.running: list[tuple[str, subprocess.Popen[bytes]]] = []

    def start(
        self, name: str, argv: list[str], env: Mapping[str, str] | None = None, **popen: Any
    ) -> subprocess.Popen[bytes]:
        with open(self.logs / f"{name}.log", "wb") as log:
            process = subprocess.Popen(
                argv, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, **popen
            )
        self.running.append((name, process))
        return process

    def stop(self, name: str) -> None:
        for entry in [e for e in self.running if e[0] == name]:
            _terminate(entry[1])
            self.running.remove(entry)

    def stop_all(self) -> None:
        while self.running:
            _, process = self.running.pop()
            _terminate(process)

    def cpu_seconds(self) -> float:
        """CPU time so far of every process started here and all their descendants, reaped ones included."""
        import psutil

        total = 0.0
        for _, process in self.running:
            with contextlib.suppress(psutil.NoSuchProcess):
                root = psutil.Process(process.pid)
                for member in [root, *root.children(recursive=True)]:
                    with contextlib.suppress(psutil.NoSuchProcess):
                        times = member.cpu_times()
                        total += times.user + times.system + times.children_user + times.children_system
        return total

    def check_alive(self) -> None:
        for name, process in self.running:
            if process.poll() is not None:
                raise RuntimeError(f"{name} exited with {process.returncode}; see {self.logs / (name + '.log')}")


def _terminate(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM the process group led by this PID (celery and uvicorn fork children), then SIGKILL."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(STOP_TIMEOUT)


def _wait_for(what: str, ready, timeout: float, processes: Processes) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        processes.check_alive()
        result = ready()
        if result:
            return result
        time.sleep(0.5)
    raise TimeoutError(f"{what} not ready after {timeout:.0f}s")


def _port_open(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


# --- data stores -------------------------------------------------------------------------------


def _postgres_bin(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    for candidate in sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True):
        return str(candidate)
    raise SystemExit(f"{name} not found: install PostgreSQL (apt-get install postgresql)")


def start_postgres(workdir: Path, processes: Processes) -> int:
    """A private cluster on 127.0.0.1; as root it runs as the ``postgres`` account (initdb refuses root)."""
    data = workdir / "pgdata"
    data.mkdir()
    as_user: dict[str, Any] = {}
    if os.geteuid() == 0:
        shutil.chown(workdir, "postgres")
        shutil.chown(data, "postgres")
        as_user = {"user": "postgres", "group": "postgres"}
    subprocess.run(
        [_postgres_bin("initdb"), "-D", str(data), "-U", DB_USER, "--auth=trust", "--no-sync"],
        check=True,
        capture_output=True,
        timeout=120,
        **as_user,
    )
    port = free_port()
    processes.start(
        "postgres",
        [
            _postgres_bin("postgres"),
            "-D",
            str(data),
            "-p",
            str(port),
            "-c",
            "listen_addresses=127.0.0.1",
            "-c",
            f"unix_socket_directories={workdir}",
            "-c",
            f"max_connections={PG_MAX_CONNECTIONS}",
            "-c",
            "fsync=off",
        ],
        **as_user,
    )
    _wait_for("PostgreSQL", lambda: _port_open(port), STARTUP_TIMEOUT, processes)
    return port


def create_database(port: int, name: str) -> None:
    import psycopg2

    def connect():
        try:
            return psycopg2.connect(host="127.0.0.1", port=port, user=DB_USER, dbname="postgres")
        except psycopg2.OperationalError:
            return None  # still starting up

    with contextlib.closing(_wait_for_connection(connect)) as connection:
        connection.autocommit = True  # CREATE DATABASE refuses to run in a transaction
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')


def _wait_for_connection(connect):
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        connection = connect()
        if connection is not None:
            return connection
        time.sleep(0.5)
    raise TimeoutError("PostgreSQL accepts no connections")


def start_redis(workdir: Path, processes: Processes) -> int:
    server = shutil.which("redis-server")
    if server is None:
        raise SystemExit("redis-server not found: install it (apt-get install redis-server)")
    port = free_port()
    processes.start(
        "redis",
        [server, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no", "--dir", str(workdir)],
    )
    _wait_for("Redis", lambda: _port_open(port), STARTUP_TIMEOUT, processes)
    return port


# --- one configuration -------------------------------------------------------------------------


def airflow_env(
    home: Path,
    pg_port: int,
    database: str,
    redis_port: int,
    redis_db: int,
    api_port: int,
    settings: Mapping[str, Mapping[str, Any]],
) -> dict[str, str]:
    db = f"{DB_USER}@127.0.0.1:{pg_port}/{database}"
    env = {key: value for key, value in os.environ.items() if not key.startswith("AIRFLOW__")}
    env |= {
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(home / "dags"),
        "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{api_port}/execution/",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"postgresql+psycopg2://{db}",
        "AIRFLOW__CELERY__BROKER_URL": f"redis://127.0.0.1:{redis_port}/{redis_db}",
        "AIRFLOW__CELERY__RESULT_BACKEND": f"db+postgresql://{db}",
        "AIRFLOW__API__HOST": "127.0.0.1",
        "AIRFLOW__API__PORT": str(api_port),
        "AIRFLOW__API__WORKERS": str(API_WORKERS),
        "AIRFLOW__API__SECRET_KEY": secrets.token_hex(16),
        "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_hex(32),
        "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(home / "logs"),
        "AIRFLOW__LOGGING__LOGGING_LEVEL": "WARNING",
    }
    for section, options in settings.items():
        for key, value in options.items():
            env[f"AIRFLOW__{section.upper()}__{key.upper()}"] = str(value)
    return env


def run_configuration(
    label: str,
    settings: Mapping[str, Mapping[str, Any]],
    *,
    workdir: Path,
    stores: Processes,
    pg_port: int,
    redis_port: int,
    redis_db: int,
    tasks: int,
    sleep: int,
    timeout: float,
) -> dict[str, float]:
    home = workdir / label
    (home / "dags").mkdir(parents=True)
    (home / "dags" / f"{DAG_ID}.py").write_text(DAG_SOURCE.format(dag_id=DAG_ID, tasks=tasks, sleep=sleep))
    database = f"airflow_{label}"
    create_database(pg_port, database)
    api_port = free_port()
    env = airflow_env(home, pg_port, database, redis_port, redis_db, api_port, settings)
    airflow = [sys.executable, "-m", "airflow"]
    processes = Processes(home)
    try:
        subprocess.run([*airflow, "db", "migrate"], env=env, check=True, capture_output=True, timeout=MIGRATE_TIMEOUT)
        processes.start("api-server", [*airflow, "api-server"], env)
        processes.start("scheduler", [*airflow, "scheduler"], env)
        processes.start("dag-processor", [*airflow, "dag-processor"], env)
        processes.start("celery-worker", [*airflow, "celery", "worker", "--skip-serve-logs"], env)
        _wait_for("the api-server", lambda: _port_open(api_port), STARTUP_TIMEOUT, processes)
        _wait_for(
            f"the parsed DAG {DAG_ID}",
            lambda: _query(pg_port, database, "SELECT 1 FROM serialized_dag WHERE dag_id = %s", DAG_ID),
            STARTUP_TIMEOUT,
            processes,
        )
        # Airflow's processes plus PostgreSQL's and Redis's work for them.
        idle_cpu = processes.cpu_seconds() + stores.cpu_seconds()
        subprocess.run([*airflow, "dags", "trigger", DAG_ID], env=env, check=True, capture_output=True, timeout=120)
        finished = "SELECT state FROM dag_run WHERE dag_id = %s AND state IN ('success', 'failed')"
        states = _wait_for(f"the {label} run", lambda: _query(pg_port, database, finished, DAG_ID), timeout, processes)
        if states[0][0] != "success":
            raise RuntimeError(f"the {label} run ended {states[0][0]}; see the task logs under {home / 'logs'}")
        busy_cpu = processes.cpu_seconds() + stores.cpu_seconds() - idle_cpu
        return _figures(pg_port, database) | {"cpuSecondsPerTask": busy_cpu / tasks}
    finally:
        processes.stop_all()


def _query(port: int, database: str, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    import psycopg2

    connect = psycopg2.connect(host="127.0.0.1", port=port, user=DB_USER, dbname=database)
    with contextlib.closing(connect) as connection, connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _figures(port: int, database: str) -> dict[str, float]:
    """Wall time from the run being queued to its end, and the most tasks that ran at once."""
    ((queued, ended),) = _query(port, database, "SELECT queued_at, end_date FROM dag_run WHERE dag_id = %s", DAG_ID)
    spans = _query(port, database, "SELECT start_date, end_date FROM task_instance WHERE dag_id = %s", DAG_ID)
    events = sorted([(start, 1) for start, _ in spans] + [(end, -1) for _, end in spans])
    running = peak = 0
    for _, change in events:
        running += change
        peak = max(peak, running)
    return {"seconds": (ended - queued).total_seconds(), "peakConcurrency": peak}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tasks", type=int, default=100, help="tasks in the DAG (default 100)")
    parser.add_argument("--sleep", type=int, default=30, help="seconds each task waits (default 30)")
    parser.add_argument("--timeout", type=float, default=420, help="most seconds one DAG run may take (default 420)")
    parser.add_argument("--keep", action="store_true", help="keep the working folder (logs) afterwards")
    args = parser.parse_args()

    configurations = {"stock": {}, "kit": kit_settings()}
    print("kit settings:", ", ".join(f"[{s}] {k}={v}" for s, o in configurations["kit"].items() for k, v in o.items()))
    workdir = Path(tempfile.mkdtemp(prefix="airflow-throughput-"))
    stores = Processes(workdir)
    results: dict[str, dict[str, float]] = {}
    try:
        pg_port = start_postgres(workdir, stores)
        redis_port = start_redis(workdir, stores)
        for number, (label, settings) in enumerate(configurations.items()):
            started = time.monotonic()
            results[label] = run_configuration(
                label,
                settings,
                workdir=workdir,
                stores=stores,
                pg_port=pg_port,
                redis_port=redis_port,
                redis_db=number,
                tasks=args.tasks,
                sleep=args.sleep,
                timeout=args.timeout,
            )
            figures = results[label]
            print(
                f"{label:>5}: {args.tasks} tasks × {args.sleep}s in {figures['seconds']:.1f}s "
                f"(at most {figures['peakConcurrency']:.0f} at once, "
                f"{figures['cpuSecondsPerTask']:.2f} CPU-s per task; "
                f"{time.monotonic() - started:.0f}s with start-up)",
                flush=True,
            )
    finally:
        stores.stop_all()
        if args.keep:
            print(f"logs kept in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    ratio = results["stock"]["seconds"] / results["kit"]["seconds"]
    print(f"ratio stock/kit: {ratio:.2f}× ({'meets' if ratio >= 2 else 'misses'} the 2× target)")


if __name__ == "__main__":
    main()
