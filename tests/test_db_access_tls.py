"""``sslmode=verify-full`` as the kit configures it, against a real PostgreSQL speaking TLS.

The test makes its own CA and a server certificate for ``localhost`` (what the RDS endpoint name
is to a real instance), starts PostgreSQL with it, and connects with the kit's own URLs and the
pods' ``PGSSLROOTCERT``: the sync driver (libpq, what Airflow, the migration Job and Celery's
result backend use) and asyncpg (Airflow's async engine). With another CA, or another host name,
the connection is refused.
"""

from __future__ import annotations

import contextlib
import datetime
import ipaddress
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from components.naming.kubernetes import Names
from components.tuning.model import PgbouncerPools
from components.values.database import (
    CA_BUNDLE_ENV,
    DatabaseEndpoint,
    async_url,
    direct_url,
    pgbouncer_ini,
    pgbouncer_users,
    pooled_url,
)
from tests.support.processes import ProcessGroup, free_port, port_open
from tests.support.servers import Postgres, ServerTls, postgres, server_binary
from tests.support.stacks import shipped_stack

SERVER_NAME = "localhost"
NAMES = Names(release="airflow", namespace="airflow")
DAY = datetime.timedelta(days=1)


def _key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def _pem(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.PEM)


def _ca(common_name: str) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    key = _key()
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - DAY)
        .not_valid_after(now + DAY)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
        .sign(key, hashes.SHA256())
    )
    return certificate, key


def _server_tls(ca: x509.Certificate, ca_key: ec.EllipticCurvePrivateKey) -> ServerTls:
    key = _key()
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, SERVER_NAME)]))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - DAY)
        .not_valid_after(now + DAY)
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(SERVER_NAME)]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
    )
    return ServerTls(_pem(certificate), key_pem)


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory: pytest.TempPathFactory):
    workdir = tmp_path_factory.mktemp("tls")
    ca, ca_key = _ca("kit test RDS CA")
    wrong_ca, _ = _ca("some other CA")
    (workdir / "ca.pem").write_bytes(_pem(ca))
    (workdir / "wrong-ca.pem").write_bytes(_pem(wrong_ca))
    with postgres(workdir / "server", tls=_server_tls(ca, ca_key)) as server:
        yield server, workdir / "ca.pem", workdir / "wrong-ca.pem"


def _endpoint(server: Postgres, host: str = SERVER_NAME) -> DatabaseEndpoint:
    """What the kit builds for the shipped prod stack, pointed at the test server."""
    sslmode = shipped_stack("prod").database.tls.mode
    return DatabaseEndpoint(host, server.port, "postgres", server.user, "unused-with-trust", sslmode)


CONNECT_SYNC = """
import sys, psycopg2
connection = psycopg2.connect(sys.argv[1])
with connection.cursor() as cursor:
    cursor.execute("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
    print(cursor.fetchone()[0])
"""


def _connect_sync(
    url: str, ca_file: Path, timeout: float = 60, script: str = CONNECT_SYNC
) -> subprocess.CompletedProcess[str]:
    """In a fresh process, as a pod: only ``PGSSLROOTCERT`` says where the CA bundle is.
    A client still waiting after ``timeout`` seconds did not connect (return code -1)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
    argv = [sys.executable, "-c", script, url]
    try:
        return subprocess.run(
            argv, env={**env, CA_BUNDLE_ENV: str(ca_file)}, capture_output=True, text=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        return subprocess.CompletedProcess(argv, -1, "", f"still waiting after {timeout} s")


def test_prod_verifies_the_database_certificate():
    assert shipped_stack("prod").database.tls.mode == "verify-full"


def test_the_kit_url_connects_with_verify_full_against_the_right_ca(tls_server):
    server, ca, _ = tls_server
    url = direct_url(_endpoint(server))
    assert "sslmode=verify-full" in url
    done = _connect_sync(url, ca)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "True"  # the session is encrypted


def test_a_wrong_ca_is_refused(tls_server):
    server, _, wrong_ca = tls_server
    done = _connect_sync(direct_url(_endpoint(server)), wrong_ca)
    assert done.returncode != 0
    assert "certificate verify failed" in done.stderr


def test_a_host_name_the_certificate_does_not_name_is_refused(tls_server):
    server, ca, _ = tls_server
    by_address = _endpoint(server, host=str(ipaddress.ip_address("127.0.0.1")))
    done = _connect_sync(direct_url(by_address), ca)
    assert done.returncode != 0
    assert "does not match host name" in done.stderr or "server certificate for" in done.stderr


CONNECT_ASYNC = """
import asyncio, sys, asyncpg
from sqlalchemy.dialects.postgresql.asyncpg import PGDialect_asyncpg
from sqlalchemy.engine import make_url

async def main():
    kwargs = PGDialect_asyncpg().create_connect_args(make_url(sys.argv[1]))[1]  # as SQLAlchemy hands them over
    connection = await asyncpg.connect(**kwargs)
    try:
        print(await connection.fetchval("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()"))
    finally:
        await connection.close()

asyncio.run(main())
"""


def test_the_async_url_verifies_with_the_same_bundle(tls_server):
    """asyncpg takes ``ssl=verify-full`` from the URL and the CA from ``PGSSLROOTCERT``."""
    server, ca, wrong_ca = tls_server
    url = async_url(_endpoint(server), NAMES, pgbouncer=False)
    assert "ssl=verify-full" in url
    done = _connect_sync(url, ca, script=CONNECT_ASYNC)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "True"
    refused = _connect_sync(url, wrong_ca, script=CONNECT_ASYNC)
    assert refused.returncode != 0
    assert "certificate verify failed" in refused.stderr


PGBOUNCER_TIMEOUT_SECONDS = 60
POOLS = PgbouncerPools(max_client_conn=10, metadata_pool_size=2, result_backend_pool_size=None)


def _local_pgbouncer_ini(kit_ini: str, folder: Path, ca_file: Path, port: int) -> str:
    """The kit's ``pgbouncer.ini`` with only what differs on this machine replaced: the files' paths
    and the listen address, plus the local files PgBouncer keeps. ``max_prepared_statements`` is
    dropped: Debian's PgBouncer is 1.18, the chart's image 1.23 (the setting needs 1.21+)."""
    replaced = {
        "listen_addr": "127.0.0.1",
        "listen_port": str(port),
        "auth_file": str(folder / "users.txt"),
        "server_tls_ca_file": str(ca_file),
    }
    lines = []
    for line in kit_ini.splitlines():
        key = line.split(" = ", 1)[0]
        if key == "max_prepared_statements":
            continue
        lines.append(f"{key} = {replaced[key]}" if key in replaced else line)
        if line == "[pgbouncer]":
            lines += [f"unix_socket_dir = {folder}", f"pidfile = {folder / 'pgbouncer.pid'}"]
    return "\n".join(lines) + "\n"


@contextlib.contextmanager
def _pgbouncer(workdir: Path, endpoint: DatabaseEndpoint, ca_pem: bytes) -> Iterator[int]:
    """PgBouncer with the kit's own files. It refuses to run as root, so as root it runs as postgres,
    in a folder of its own that account can reach (``workdir`` may sit in folders only root enters)."""
    folder = Path(tempfile.mkdtemp(prefix="airflow-ha-pgbouncer-"))
    as_user: dict[str, str] = {}
    ca_file = folder / "rds-ca-bundle.pem"
    ca_file.write_bytes(ca_pem)
    port = free_port()
    (folder / "pgbouncer.ini").write_text(
        _local_pgbouncer_ini(pgbouncer_ini(endpoint, NAMES, POOLS), folder, ca_file, port)
    )
    (folder / "users.txt").write_text(pgbouncer_users(endpoint))
    if os.geteuid() == 0:
        as_user = {"user": "postgres", "group": "postgres"}
        for path in (folder, *folder.iterdir()):
            shutil.chown(path, "postgres", "postgres")
    with ProcessGroup(workdir / "logs") as group:
        group.start("pgbouncer", [server_binary("pgbouncer", "pgbouncer"), str(folder / "pgbouncer.ini")], **as_user)
        group.wait_for("PgBouncer", lambda: port_open(port), PGBOUNCER_TIMEOUT_SECONDS, interval=0.2)
        yield port


def _through_pgbouncer(port: int, endpoint: DatabaseEndpoint) -> subprocess.CompletedProcess[str]:
    """What an Airflow pod does: the kit's pooled URL, to PgBouncer on this machine."""
    url = pooled_url(endpoint, NAMES).replace(NAMES.pgbouncer_host, "127.0.0.1").replace(":6543/", f":{port}/")
    # PgBouncer holds a client while it retries the server (query_wait_timeout, 120 s by default).
    return _connect_sync(url, Path(os.devnull), timeout=20)


@pytest.mark.parametrize(("right_ca", "connects"), [(True, True), (False, False)])
def test_pgbouncer_verifies_the_database_with_the_kit_settings(tls_server, tmp_path, right_ca, connects):
    server, ca, wrong_ca = tls_server
    endpoint = _endpoint(server)
    ini = pgbouncer_ini(
        endpoint, NAMES, PgbouncerPools(max_client_conn=10, metadata_pool_size=2, result_backend_pool_size=None)
    )
    assert "server_tls_sslmode = verify-full" in ini
    with _pgbouncer(tmp_path, endpoint, (ca if right_ca else wrong_ca).read_bytes()) as port:
        done = _through_pgbouncer(port, endpoint)
    if connects:
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip() == "True"  # PgBouncer's session to PostgreSQL is TLS
    else:
        assert done.returncode != 0
        log = (tmp_path / "logs" / "pgbouncer.log").read_text()
        assert "certificate verify failed" in log, log[-2000:]
