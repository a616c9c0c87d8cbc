"""Stand-ins for what the ops command calls and moto or this machine cannot serve; separate processes on 127.0.0.1.

    python ops_standins.py aws-gaps PORT SPEC     AWS query API: answers the actions moto lacks, forwards the rest
    python ops_standins.py kubernetes PORT SPEC   the few Kubernetes API reads `airflow-ha` makes

moto 5.2 has no RDS ``DescribeDBEngineVersions`` or ``DescribePendingMaintenanceActions``, answers
``DescribeOrderableDBInstanceOptions`` only for Aurora and Neptune, and has no ElastiCache
``DescribeCacheEngineVersions`` or ``DescribeReservedCacheNodesOfferings``. ``aws-gaps`` answers
those from SPEC, in the XML of the query protocol botocore parses, and forwards every other request
to the moto_server in SPEC, so the command's real boto3 calls reach one endpoint.

``kubernetes`` serves ``/version``, CRDs, IngressClasses, namespaces, DaemonSets, Secrets listed by label
and single Secrets with their data from SPEC, only with the bearer token in SPEC (401 otherwise), as an
API server with RBAC would.
"""

from __future__ import annotations

import json
import sys
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from xml.sax.saxutils import escape

_NAMESPACES = {
    "rds": "http://rds.amazonaws.com/doc/2014-10-31/",
    "elasticache": "http://elasticache.amazonaws.com/doc/2015-02-02/",
}


def _xml(value: object, member: str | None = None) -> str:
    if isinstance(value, dict):  # a list value is its members, each under the key
        return "".join(
            _xml(item, key) if isinstance(item, list) else f"<{key}>{_xml(item)}</{key}>" for key, item in value.items()
        )
    if isinstance(value, list):
        return "".join(f"<{member}>{_xml(item)}</{member}>" for item in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return escape(str(value))


def _rds_engine_versions(spec: dict, form: dict[str, str]) -> tuple[str, str, dict]:
    versions = [
        {"Engine": "postgres", "EngineVersion": version}
        for version in spec["rds_engine_versions"]
        if form.get("Engine", "postgres") == "postgres" and version.startswith(form.get("EngineVersion", ""))
    ]
    return "rds", "DescribeDBEngineVersions", {"DBEngineVersions": {"DBEngineVersion": versions}}


def _rds_orderable(spec: dict, form: dict[str, str]) -> tuple[str, str, dict]:
    options = [
        {
            "Engine": "postgres",
            "EngineVersion": option["version"],
            "DBInstanceClass": option["class"],
            "MultiAZCapable": option["multi_az"],
            "AvailabilityZones": {"AvailabilityZone": [{"Name": zone} for zone in option["zones"]]},
        }
        for option in spec["rds_orderable"]
        if option["class"] == form.get("DBInstanceClass", option["class"])
        and option["version"] == form.get("EngineVersion", option["version"])
    ]
    return (
        "rds",
        "DescribeOrderableDBInstanceOptions",
        {"OrderableDBInstanceOptions": {"OrderableDBInstanceOption": options}},
    )


def _rds_pending(spec: dict, form: dict[str, str]) -> tuple[str, str, dict]:
    wanted = {value for key, value in form.items() if key.startswith("Filters.Filter.1.Values.")}
    actions = [
        {
            "ResourceIdentifier": arn,
            "PendingMaintenanceActionDetails": {
                "PendingMaintenanceAction": [{"Action": a["action"], "Description": a["description"]} for a in items]
            },
        }
        for arn, items in spec.get("pending_maintenance", {}).items()
        if not wanted or any(arn == value or arn.endswith(f":db:{value}") for value in wanted)
    ]
    return (
        "rds",
        "DescribePendingMaintenanceActions",
        {"PendingMaintenanceActions": {"ResourcePendingMaintenanceActions": actions}},
    )


def _cache_engine_versions(spec: dict, form: dict[str, str]) -> tuple[str, str, dict]:
    versions = [
        {"Engine": "redis", "EngineVersion": version}
        for version in spec["redis_engine_versions"]
        if version == form.get("EngineVersion", version)
    ]
    return "elasticache", "DescribeCacheEngineVersions", {"CacheEngineVersions": {"CacheEngineVersion": versions}}


def _cache_offerings(spec: dict, form: dict[str, str]) -> tuple[str, str, dict]:
    offerings = [
        {"ReservedCacheNodesOfferingId": f"offering-{node}", "CacheNodeType": node, "ProductDescription": "redis"}
        for node in spec["cache_node_types"]
        if node == form.get("CacheNodeType", node)
    ]
    return (
        "elasticache",
        "DescribeReservedCacheNodesOfferings",
        {"ReservedCacheNodesOfferings": {"ReservedCacheNodesOffering": offerings}},
    )


_GAPS = {
    "DescribeDBEngineVersions": _rds_engine_versions,
    "DescribeOrderableDBInstanceOptions": _rds_orderable,
    "DescribePendingMaintenanceActions": _rds_pending,
    "DescribeCacheEngineVersions": _cache_engine_versions,
    "DescribeReservedCacheNodesOfferings": _cache_offerings,
}


class AwsGaps(BaseHTTPRequestHandler):
    spec: dict

    def _forward(self, body: bytes | None) -> None:
        headers = {key: value for key, value in self.headers.items() if key.lower() not in ("host", "content-length")}
        request = urllib.request.Request(self.spec["moto"] + self.path, data=body, headers=headers, method=self.command)
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                status, reply_headers, payload = response.status, response.headers.items(), response.read()
        except urllib.error.HTTPError as error:
            status, reply_headers, payload = error.code, error.headers.items(), error.read()
        self.send_response(status)
        for key, value in reply_headers:
            if key.lower() not in ("content-length", "transfer-encoding", "connection", "date", "server"):
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    def _handle(self) -> None:
        body = (
            self.rfile.read(int(self.headers.get("Content-Length", 0) or 0))
            if self.command in ("POST", "PUT")
            else None
        )
        form = {}
        if body and "x-www-form-urlencoded" in self.headers.get("Content-Type", ""):
            form = dict(urllib.parse.parse_qsl(body.decode()))
        answer = _GAPS.get(form.get("Action", ""))
        if answer is None:
            return self._forward(body)
        service, action, result = answer(self.spec, form)
        xml = (
            f'<{action}Response xmlns="{_NAMESPACES[service]}"><{action}Result>{_xml(result)}</{action}Result>'
            f"<ResponseMetadata><RequestId>standin</RequestId></ResponseMetadata></{action}Response>"
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/xml")
        self.send_header("Content-Length", str(len(xml)))
        self.end_headers()
        self.wfile.write(xml)
        return None

    # http.server dispatches on the method name; every method is forwarded alike.
    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _handle  # noqa: N815

    def log_message(self, *args) -> None:
        pass


_VERSION = {
    "major": "1",
    "minor": "31",
    "gitVersion": "v1.31.4-standin",
    "gitCommit": "0",
    "gitTreeState": "clean",
    "buildDate": "2026-01-01T00:00:00Z",
    "goVersion": "go1.23",
    "compiler": "gc",
    "platform": "linux/amd64",
}


class KubernetesApi(BaseHTTPRequestHandler):
    spec: dict

    def _reply(self, status: int, payload: dict) -> None:
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _status(self, code: int, reason: str, message: str) -> None:
        self._reply(
            code,
            {
                "kind": "Status",
                "apiVersion": "v1",
                "status": "Failure",
                "reason": reason,
                "message": message,
                "code": code,
            },
        )

    def do_GET(self) -> None:
        if self.headers.get("Authorization") != f"Bearer {self.spec['token']}":
            return self._status(401, "Unauthorized", "Unauthorized")
        url = urllib.parse.urlsplit(self.path)
        parts = url.path.strip("/").split("/")
        query = dict(urllib.parse.parse_qsl(url.query))
        if parts == ["version"]:
            return self._reply(200, _VERSION)
        if parts[:3] == ["apis", "apiextensions.k8s.io", "v1"] and len(parts) == 5:
            return self._named(
                parts[4], self.spec.get("crds", []), "CustomResourceDefinition", "apiextensions.k8s.io/v1"
            )
        if parts[:3] == ["apis", "networking.k8s.io", "v1"] and len(parts) == 5:
            return self._named(parts[4], self.spec.get("ingress_classes", []), "IngressClass", "networking.k8s.io/v1")
        if parts[:2] == ["api", "v1"] and len(parts) == 4 and parts[2] == "namespaces":
            return self._named(parts[3], self.spec.get("namespaces", []), "Namespace", "v1")
        if parts[:3] == ["apis", "apps", "v1"] and len(parts) == 7 and parts[5] == "daemonsets":
            return self._daemon_set(parts[4], parts[6])
        if parts[:2] == ["api", "v1"] and len(parts) == 5 and parts[4] == "secrets":
            return self._secrets(parts[3], query.get("labelSelector", ""))
        if parts[:2] == ["api", "v1"] and len(parts) == 6 and parts[4] == "secrets":
            return self._secret(parts[3], parts[5])
        return self._status(404, "NotFound", f"the server could not find the requested resource ({url.path})")

    def _named(self, name: str, known: list[str], kind: str, api_version: str) -> None:
        if name not in known:
            return self._status(404, "NotFound", f'{kind.lower()}s "{name}" not found')
        return self._reply(200, {"kind": kind, "apiVersion": api_version, "metadata": {"name": name}})

    def _daemon_set(self, namespace: str, name: str) -> None:
        """``spec["daemon_sets"]["<namespace>/<name>"]``: the env of its container of the same name."""
        env = self.spec.get("daemon_sets", {}).get(f"{namespace}/{name}")
        if env is None:
            return self._status(404, "NotFound", f'daemonsets.apps "{name}" not found')
        container = {"name": name, "image": f"{name}:standin", "env": [{"name": k, "value": v} for k, v in env.items()]}
        return self._reply(
            200,
            {
                "kind": "DaemonSet",
                "apiVersion": "apps/v1",
                "metadata": {"name": name, "namespace": namespace},
                "spec": {"selector": {}, "template": {"spec": {"containers": [container]}}},
            },
        )

    def _secrets(self, namespace: str, selector: str) -> None:
        wanted = dict(term.split("=", 1) for term in selector.split(",") if "=" in term)
        items = [
            {
                "metadata": {"name": secret["name"], "namespace": namespace, "labels": secret["labels"]},
                "type": secret.get("type", "Opaque"),
            }
            for secret in self.spec.get("secrets", {}).get(namespace, [])
            if all(secret["labels"].get(key) == value for key, value in wanted.items())
        ]
        return self._reply(200, {"kind": "SecretList", "apiVersion": "v1", "metadata": {}, "items": items})

    def _secret(self, namespace: str, name: str) -> None:
        """One Secret with its ``data`` (base64 values, as the API serves them)."""
        for secret in self.spec.get("secrets", {}).get(namespace, []):
            if secret["name"] == name:
                metadata = {"name": name, "namespace": namespace, "labels": secret.get("labels", {})}
                body = {"kind": "Secret", "apiVersion": "v1", "metadata": metadata, "data": secret.get("data", {})}
                return self._reply(200, {**body, "type": secret.get("type", "Opaque")})
        return self._status(404, "NotFound", f'secrets "{name}" not found')

    def log_message(self, *args) -> None:
        pass


def main(argv: list[str]) -> None:
    kind, port, spec = argv[1], int(argv[2]), json.loads(Path(argv[3]).read_text())
    handlers = {"aws-gaps": AwsGaps, "kubernetes": KubernetesApi}
    if kind not in handlers:
        raise SystemExit(f"unknown stand-in {kind!r}")
    handler = type("Handler", (handlers[kind],), {"spec": spec})
    ThreadingHTTPServer(("127.0.0.1", port), handler).serve_forever()


if __name__ == "__main__":
    main(sys.argv)
