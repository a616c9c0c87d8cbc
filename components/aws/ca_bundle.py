"""The RDS CA bundle that pods verify the database's certificate with (``database.tls``).

Fetched at deploy time from AWS's truststore with the pulumi-http provider (an invoke, so the
offline plan and the tests answer it with a stand-in), or read from a file the stack names when
the deployer has no internet access. Either way the bundle is checked for a PEM certificate
before any pod depends on it.
"""

from __future__ import annotations

from pathlib import Path

import pulumi
import pulumi_http as http

from ..args import CaBundleSource

PEM_CERTIFICATE = "-----BEGIN CERTIFICATE-----"
HTTP_OK = 200
FETCH_TIMEOUT_MS = 30_000


def _checked(pem: str, origin: str) -> str:
    if PEM_CERTIFICATE not in pem:
        raise ValueError(f"the RDS CA bundle from {origin} holds no PEM certificate")
    return pem


def rds_ca_bundle(source: CaBundleSource, opts: pulumi.InvokeOutputOptions) -> pulumi.Output[str]:
    if source.file is not None:
        return pulumi.Output.from_input(_checked(Path(source.file).read_text(), source.file))
    response = http.get_http_output(
        url=source.url, request_timeout_ms=FETCH_TIMEOUT_MS, retry={"attempts": 3}, opts=opts
    )

    def body(result: http.GetHttpResult) -> str:
        if result.status_code != HTTP_OK:
            raise ValueError(f"{source.url} answered HTTP {result.status_code}; set database.tls.caBundleFile instead")
        return _checked(result.response_body, source.url)

    return response.apply(body)
