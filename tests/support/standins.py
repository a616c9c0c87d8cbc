"""Local stand-ins the contract tests start as separate processes on 127.0.0.1.

    python local_standins.py recorder PORT LOG      records every POST (path, headers, body) as JSON lines
    python local_standins.py vault PORT SPEC        the two Vault endpoints VaultBackend uses, and sys/ reads

The Vault stand-in serves ``POST /v1/auth/<mount>/login`` (Kubernetes auth: role and JWT must
match) and ``GET /v1/<path>`` for KV reads, allowed only with the token it issued and only on
paths matching the policy globs in SPEC, as a Vault policy would. Every request is appended to
SPEC's log file, so the test can see what Airflow asked for.
"""

from __future__ import annotations

import fnmatch
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ISSUED_TOKEN = "s.contract-test-client-token"


def _append(log: Path, record: dict) -> None:
    with log.open("a") as stream:
        stream.write(json.dumps(record) + "\n")


class Recorder(BaseHTTPRequestHandler):
    log_path: Path

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
        _append(self.log_path, {"path": self.path, "headers": dict(self.headers), "body": body})
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args) -> None:
        pass


class VaultStandIn(BaseHTTPRequestHandler):
    spec: dict

    def _reply(self, status: int, payload: dict) -> None:
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _record(self, body: str = "") -> None:
        token = self.headers.get("X-Vault-Token")
        _append(Path(self.spec["log"]), {"method": self.command, "path": self.path, "token": token, "body": body})

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
        self._record(body)
        if self.path != f"/v1/auth/{self.spec['auth_mount']}/login":
            return self._reply(404, {"errors": ["no handler for route"]})
        login = json.loads(body or "{}")
        if login.get("role") != self.spec["role"] or login.get("jwt") != self.spec["jwt"]:
            return self._reply(403, {"errors": ["permission denied"]})
        self._reply(
            200,
            {"auth": {"client_token": ISSUED_TOKEN, "lease_duration": 3600, "renewable": True}},
        )
        return None

    def do_GET(self) -> None:
        self._record()
        if self.path.split("?", 1)[0].removeprefix("/v1/") in ("sys/health", "sys/auth", "sys/mounts"):
            return self._sys()
        if self.headers.get("X-Vault-Token") != ISSUED_TOKEN:
            return self._reply(403, {"errors": ["permission denied"]})
        path = self.path.split("?", 1)[0].removeprefix("/v1/")
        if not any(fnmatch.fnmatchcase(path, glob) for glob in self.spec["policy_paths"]):
            return self._reply(403, {"errors": ["1 error occurred:\n\t* permission denied\n\n"]})
        if path not in self.spec["secrets"]:
            return self._reply(404, {"errors": []})
        secret = self.spec["secrets"][path]
        if self.spec["kv_engine_version"] == 1:
            return self._reply(200, {"data": secret})
        metadata = {"created_time": "2026-01-01T00:00:00Z", "deletion_time": "", "destroyed": False, "version": 1}
        self._reply(200, {"data": {"data": secret, "metadata": metadata}})
        return None

    def _sys(self) -> None:
        """Health (no token) and the auth and secrets mounts (operator token only), for `airflow-ha preflight`."""
        path = self.path.split("?", 1)[0].removeprefix("/v1/")
        sealed = self.spec.get("sealed", False)
        if path == "sys/health":
            health = {"initialized": True, "sealed": sealed, "standby": False, "version": "1.17.0-standin"}
            return self._reply(503 if sealed else 200, health)
        if self.headers.get("X-Vault-Token") != self.spec.get("operator_token"):
            return self._reply(403, {"errors": ["permission denied"]})
        mounts = self.spec["auth_mounts"] if path == "sys/auth" else self.spec["secret_mounts"]
        return self._reply(200, {**mounts, "data": mounts})

    def log_message(self, *args) -> None:
        pass


class OperatorVaultStandIn(VaultStandIn):
    """The Vault stand-in, plus what an operator's token may do in the KV mount (``spec["operator_token"]``):
    write (``POST``), list (``LIST``) and read any path, as `airflow-ha secrets` does. Airflow's own reads
    still go through the Kubernetes login and the policy globs."""

    def _operator(self) -> bool:
        return self.headers.get("X-Vault-Token") == self.spec.get("operator_token")

    def _kv_path(self) -> str:
        return self.path.split("?", 1)[0].removeprefix("/v1/")

    def do_POST(self) -> None:
        if self.path.startswith("/v1/auth/"):
            return super().do_POST()
        body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
        self._record(body)
        if not self._operator():
            return self._reply(403, {"errors": ["permission denied"]})
        payload = json.loads(body or "{}")
        self.spec["secrets"][self._kv_path()] = payload["data"] if self.spec["kv_engine_version"] == 2 else payload
        return self._reply(200, {"data": {"version": 1}})

    do_PUT = do_POST  # noqa: N815 - the HTTP verb

    def do_GET(self) -> None:
        path = self._kv_path()
        if not self._operator() or path.startswith("sys/"):
            return super().do_GET()
        self._record()
        if path not in self.spec["secrets"]:
            return self._reply(404, {"errors": []})
        secret = self.spec["secrets"][path]
        if self.spec["kv_engine_version"] == 1:
            return self._reply(200, {"data": secret})
        metadata = {"created_time": "2026-01-01T00:00:00Z", "deletion_time": "", "destroyed": False, "version": 1}
        return self._reply(200, {"data": {"data": secret, "metadata": metadata}})

    def do_LIST(self) -> None:
        self._record()
        if not self._operator():
            return self._reply(403, {"errors": ["permission denied"]})
        path = self._kv_path().rstrip("/")
        if self.spec["kv_engine_version"] == 2:
            mount, _, prefix = path.partition("/metadata/")
            path = f"{mount}/data/{prefix}"
        keys = sorted(
            {key.removeprefix(f"{path}/").split("/")[0] for key in self.spec["secrets"] if key.startswith(f"{path}/")}
        )
        if not keys:
            return self._reply(404, {"errors": []})
        return self._reply(200, {"data": {"keys": keys}})


def main(argv: list[str]) -> None:
    kind, port = argv[1], int(argv[2])
    if kind == "recorder":
        handler = type("Handler", (Recorder,), {"log_path": Path(argv[3])})
    elif kind == "vault":
        spec = json.loads(Path(argv[3]).read_text())
        stand_in = OperatorVaultStandIn if spec.get("operator_token") else VaultStandIn
        handler = type("Handler", (stand_in,), {"spec": spec})
    else:
        raise SystemExit(f"unknown stand-in {kind!r}")
    ThreadingHTTPServer(("127.0.0.1", port), handler).serve_forever()


if __name__ == "__main__":
    main(sys.argv)
