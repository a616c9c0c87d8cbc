"""Real servers on 127.0.0.1 for the tests and benchmarks: PostgreSQL, Redis, moto_server, and
the project's own HTTP stand-ins (``standins.py``). Each is a context manager that starts the
server on a free port in a private folder and stops it by PID.

PostgreSQL, Redis and RabbitMQ come from Debian's packages (``make test`` installs them: see
``.ci/system-packages``); moto_server from PyPI.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from .processes import ProcessGroup, free_port, listening, port_open

STANDINS = Path(__file__).with_name("standins.py")
STARTUP_TIMEOUT_SECONDS = 120
DB_USER = "airflow"


def server_binary(name: str, package: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    for candidate in sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True):
        return str(candidate)
    raise RuntimeError(f"{name} not found: install Debian's {package} (apt-get install -y {package})")


@dataclass(frozen=True)
class Postgres:
    port: int
    user: str
    group: ProcessGroup

    def url(self, database: str, driver: str = "postgresql+psycopg2") -> str:
        return f"{driver}://{self.user}@127.0.0.1:{self.port}/{database}"

    def connect(self, database: str = "postgres") -> Any:
        import psycopg2

        return psycopg2.connect(host="127.0.0.1", port=self.port, user=self.user, dbname=database)

    def create_database(self, name: str) -> None:
        with contextlib.closing(self.connect()) as connection:
            connection.autocommit = True  # CREATE DATABASE refuses to run in a transaction
            with connection.cursor() as cursor:
                cursor.execute(f'CREATE DATABASE "{name}"')

    def query(self, database: str, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        with contextlib.closing(self.connect(database)) as connection, connection.cursor() as cursor:
            cursor.execute(sql, params)
            return list(cursor.fetchall()) if cursor.description else []

    def ready(self) -> bool:
        import psycopg2

        try:
            self.connect().close()
        except psycopg2.OperationalError:
            return False
        return True


@dataclass(frozen=True)
class ServerTls:
    """A server certificate and key (PEM) for PostgreSQL's ``ssl = on``."""

    cert_pem: bytes
    key_pem: bytes


# The test superuser keeps trust; every other role must log in with its SCRAM password.
PASSWORD_HBA = f"""
local all all trust
host all {DB_USER} 127.0.0.1/32 trust
host all all 127.0.0.1/32 scram-sha-256
"""


@contextlib.contextmanager
def postgres(
    workdir: Path, max_connections: int = 300, *, passwords: bool = False, tls: ServerTls | None = None
) -> Iterator[Postgres]:
    """A private cluster with trust authentication, its logs under ``workdir``.

    ``passwords``: roles other than the test superuser authenticate with SCRAM passwords.
    ``tls``: the server also speaks TLS with this certificate (clients choose with ``sslmode``).

    As root it runs as the ``postgres`` account (initdb refuses root), in a folder of its own that
    account can reach (``workdir`` may sit inside folders only root may enter).
    """
    as_user: dict[str, Any] = {}
    home = workdir
    if os.geteuid() == 0:
        home = Path(tempfile.mkdtemp(prefix="airflow-ha-postgres-"))
        shutil.chown(home, "postgres")
        as_user = {"user": "postgres", "group": "postgres"}
    data = home / "pgdata"
    try:
        subprocess.run(
            [server_binary("initdb", "postgresql"), "-D", str(data), "-U", DB_USER, "--auth=trust", "--no-sync"],
            check=True,
            capture_output=True,
            timeout=STARTUP_TIMEOUT_SECONDS,
            **as_user,
        )
        port = free_port()
        settings = {
            "listen_addresses": "127.0.0.1",
            "unix_socket_directories": str(home),
            "max_connections": str(max_connections),
            "fsync": "off",
        }
        if passwords:
            (data / "pg_hba.conf").write_text(PASSWORD_HBA)
        if tls is not None:
            settings |= _server_tls_files(home, tls, as_user.get("user"))
        argv = [server_binary("postgres", "postgresql"), "-D", str(data), "-p", str(port)]
        for key, value in settings.items():
            argv += ["-c", f"{key}={value}"]
        with ProcessGroup(workdir / "logs") as group:
            group.start("postgres", argv, **as_user)
            server = Postgres(port, DB_USER, group)
            group.wait_for("PostgreSQL", server.ready, STARTUP_TIMEOUT_SECONDS)
            yield server
    finally:
        if home != workdir:
            shutil.rmtree(home, ignore_errors=True)


def _server_tls_files(home: Path, tls: ServerTls, owner: str | None) -> dict[str, str]:
    """PostgreSQL refuses a key file others can read, so it is the server account's, mode 0600."""
    cert, key = home / "server.crt", home / "server.key"
    cert.write_bytes(tls.cert_pem)
    key.write_bytes(tls.key_pem)
    key.chmod(0o600)
    if owner is not None:
        for path in (cert, key):
            shutil.chown(path, owner)
    return {"ssl": "on", "ssl_cert_file": str(cert), "ssl_key_file": str(key)}


@dataclass
class Redis:
    port: int
    group: ProcessGroup
    argv: list[str]

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def stop(self) -> None:
        """Stop the server, as a failover or an outage would."""
        self.group.stop("redis")

    def start(self) -> None:
        self.group.start("redis", self.argv)
        self.group.wait_for("Redis", lambda: port_open(self.port), STARTUP_TIMEOUT_SECONDS, interval=0.1)


@contextlib.contextmanager
def redis(workdir: Path, durable: bool = False) -> Iterator[Redis]:
    """Redis on a free loopback port; ``durable``: queued messages survive a stop and a start (AOF, fsync
    always), as on the replica a failover promotes."""
    port = free_port()
    data = workdir / "redis"
    data.mkdir(parents=True, exist_ok=True)
    argv = [
        server_binary("redis-server", "redis-server"),
        "--bind", "127.0.0.1",
        "--port", str(port),
        "--save", "",
        *(["--appendonly", "yes", "--appendfsync", "always"] if durable else ["--appendonly", "no"]),
        "--dir", str(data),
    ]  # fmt: skip
    with ProcessGroup(workdir / "logs") as group:
        server = Redis(port, group, argv)
        server.start()
        yield server


RABBITMQ_SERVER = "/usr/lib/rabbitmq/bin/rabbitmq-server"  # the package's server itself, not its su wrapper


@dataclass(frozen=True)
class Rabbitmq:
    port: int
    group: ProcessGroup

    def url(self, vhost: str = "/") -> str:
        """The AMQP URL of ``vhost`` for the default ``guest`` user (which RabbitMQ admits on loopback only)."""
        return f"amqp://guest:guest@127.0.0.1:{self.port}/{quote(vhost, safe='')}"

    def ready(self) -> bool:
        from kombu import Connection

        try:
            with Connection(self.url(), connect_timeout=2) as connection:
                connection.connect()
        except OSError:
            return False
        return True


@contextlib.contextmanager
def rabbitmq(workdir: Path) -> Iterator[Rabbitmq]:
    """A private RabbitMQ node: its own epmd, Erlang distribution and AMQP all on 127.0.0.1, no plugins.

    erl would start a shared ``epmd -daemon`` on every interface, outside this process group; the
    node uses its own epmd here instead, started in the foreground and stopped by PID like the rest.
    """
    if not Path(RABBITMQ_SERVER).exists():
        raise RuntimeError(
            "rabbitmq-server not found: install Debian's rabbitmq-server (apt-get install -y rabbitmq-server)"
        )
    home = workdir / "rabbitmq"
    for folder in ("home", "mnesia", "log"):
        (home / folder).mkdir(parents=True, exist_ok=True)
    (home / "enabled_plugins").write_text("[].\n")
    port, dist_port, epmd_port = free_port(), free_port(), free_port()
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home / "home"),  # the Erlang cookie stays private
        "ERL_EPMD_ADDRESS": "127.0.0.1",
        "ERL_EPMD_PORT": str(epmd_port),
        "RABBITMQ_NODENAME": f"airflow-ha-{port}@localhost",
        "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1",
        "RABBITMQ_NODE_PORT": str(port),
        "RABBITMQ_DIST_PORT": str(dist_port),
        "RABBITMQ_MNESIA_BASE": str(home / "mnesia"),
        "RABBITMQ_LOG_BASE": str(home / "log"),
        "RABBITMQ_ENABLED_PLUGINS_FILE": str(home / "enabled_plugins"),
        "RABBITMQ_CONFIG_FILE": str(home / "rabbitmq"),
        "RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS": "-kernel inet_dist_use_interface {127,0,0,1}",
    }
    with ProcessGroup(workdir / "logs") as group:
        group.start("epmd", [server_binary("epmd", "erlang-base"), "-port", str(epmd_port)], env=env)
        group.wait_for("epmd", lambda: port_open(epmd_port), STARTUP_TIMEOUT_SECONDS, interval=0.1)
        group.start("rabbitmq", [RABBITMQ_SERVER], env=env)
        server = Rabbitmq(port, group)
        group.wait_for("RabbitMQ", server.ready, STARTUP_TIMEOUT_SECONDS)
        yield server


@contextlib.contextmanager
def moto_server(workdir: Path) -> Iterator[str]:
    """moto_server: real AWS APIs (S3, SQS, Secrets Manager, RDS, EKS, IAM...) on loopback."""
    port = free_port()
    argv = [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]
    with listening("moto", argv, port, workdir / "logs"):
        yield f"http://127.0.0.1:{port}"


@contextlib.contextmanager
def recorder(workdir: Path, name: str) -> Iterator[tuple[str, Path]]:
    """An HTTP receiver recording every POST; yields its base URL and its JSON-lines log."""
    port = free_port()
    log = workdir / f"{name}.jsonl"
    log.touch()
    argv = [sys.executable, str(STANDINS), "recorder", str(port), str(log)]
    with listening(name, argv, port, workdir / "logs"):
        yield f"http://127.0.0.1:{port}", log


@contextlib.contextmanager
def vault_standin(workdir: Path, spec: dict[str, Any]) -> Iterator[tuple[str, Path]]:
    """The two Vault endpoints VaultBackend uses (see ``standins.py``); yields its URL and request log."""
    port = free_port()
    log = workdir / "vault-requests.jsonl"
    log.touch()
    spec_file = workdir / "vault-spec.json"
    spec_file.write_text(json.dumps({**spec, "log": str(log)}))
    argv = [sys.executable, str(STANDINS), "vault", str(port), str(spec_file)]
    with listening("vault", argv, port, workdir / "logs"):
        yield f"http://127.0.0.1:{port}", log


def records(log: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
