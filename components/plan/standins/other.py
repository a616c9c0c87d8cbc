"""pulumi-random and pulumi-vault: generated values and Vault paths."""

from __future__ import annotations

import base64
import hashlib
from typing import Any


def _fake(name: str, length: int) -> str:
    """Deterministic, obviously fake material: plans stay stable from run to run."""
    return hashlib.sha256(name.encode()).hexdigest()[:length]


def outputs(type_token: str, name: str, inputs: dict[str, Any]) -> dict[str, Any] | None:
    if type_token in ("random:index/randomPassword:RandomPassword", "random:index/randomString:RandomString"):
        return {"result": _fake(name, int(inputs.get("length", 32)))}
    if type_token == "random:index/randomBytes:RandomBytes":
        raw = (hashlib.sha512(name.encode()).digest() * 8)[: int(inputs.get("length", 32))]
        return {"base64": base64.b64encode(raw).decode(), "hex": raw.hex()}
    if type_token == "random:index/randomId:RandomId":
        raw = (hashlib.sha512(name.encode()).digest() * 8)[: int(inputs.get("byteLength", 8))]
        return {
            "hex": raw.hex(),
            "b64Url": base64.urlsafe_b64encode(raw).decode().rstrip("="),
            "b64Std": base64.b64encode(raw).decode(),
            "dec": str(int.from_bytes(raw, "big")),
        }
    if type_token.startswith("vault:"):
        return {"name": inputs.get("name", inputs.get("roleName", name))}
    if type_token.startswith("pulumi:providers:"):
        return {}
    return None


# What the RDS truststore would answer: a PEM-shaped stand-in, never a real CA.
STANDIN_CA_BUNDLE = "-----BEGIN CERTIFICATE-----\nb2ZmbGluZS1wbGFuLXN0YW5kLWluLWNh\n-----END CERTIFICATE-----\n"


def _get_http(args: dict[str, Any]) -> dict[str, Any]:
    return {"url": args["url"], "statusCode": 200, "responseBody": STANDIN_CA_BUNDLE, "id": args["url"]}


CALLS: dict = {"http:index/getHttp:getHttp": _get_http}
