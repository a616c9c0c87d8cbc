"""The api-server's Ingress in the chart's own values (``ingress.apiServer``), TLS included (pure).

The chart 1.22.0 spells TLS per host: ``hosts: [{name, tls: {enabled, secretName}}]`` (its older
``ingress.apiServer.tls`` block is deprecated). cert-manager's ingress-shim reads its annotation
and fills the named Secret with a certificate for those hosts; the AWS Load Balancer Controller
reads the ACM certificate, the listeners and the redirect from annotations.
"""

from __future__ import annotations

import json
from typing import Any

from ..config.model import StackConfig
from ..config.sections.ingress_tls import (
    ALB_CERTIFICATE_ANNOTATION,
    ALB_LISTEN_PORTS_ANNOTATION,
    ALB_SSL_REDIRECT_ANNOTATION,
    CLUSTER_ISSUER_ANNOTATION,
    ISSUER_ANNOTATION,
    IngressTlsSection,
)
from ..naming.kubernetes import Names

Values = dict[str, Any]
HTTPS_PORT = 443
# The TLS Secret cert-manager fills when the stack names none.
CERT_MANAGER_SECRET = "api-server-tls"


def tls_secret_name(tls: IngressTlsSection, names: Names) -> str | None:
    if tls.secret_name is not None:
        return tls.secret_name
    return names.secret(CERT_MANAGER_SECRET) if tls.cert_manager is not None else None


def tls_annotations(tls: IngressTlsSection) -> dict[str, str]:
    """What the kit tells cert-manager or the AWS Load Balancer Controller."""
    annotations: dict[str, str] = {}
    if tls.cert_manager is not None:
        if tls.cert_manager.cluster_issuer is not None:
            annotations[CLUSTER_ISSUER_ANNOTATION] = tls.cert_manager.cluster_issuer
        if tls.cert_manager.issuer is not None:
            annotations[ISSUER_ANNOTATION] = tls.cert_manager.issuer
    if tls.acm_certificate_arn is not None:
        annotations |= {
            ALB_CERTIFICATE_ANNOTATION: tls.acm_certificate_arn,
            ALB_LISTEN_PORTS_ANNOTATION: json.dumps([{"HTTP": 80}, {"HTTPS": HTTPS_PORT}]),
            ALB_SSL_REDIRECT_ANNOTATION: str(HTTPS_PORT),
        }
    return annotations


def ingress_values(cfg: StackConfig, names: Names) -> Values:
    ingress = cfg.kubernetes.ingress
    if not ingress.enabled:
        return {}
    api_server: Values = {"enabled": True, "ingressClassName": ingress.class_name}
    secret = tls_secret_name(ingress.tls, names)
    hosts = ingress.tls.hosts or ([ingress.host] if ingress.host else [])
    if secret is not None:
        api_server["hosts"] = [{"name": host, "tls": {"enabled": True, "secretName": secret}} for host in hosts]
    elif ingress.host:
        api_server["hosts"] = [{"name": ingress.host}]
    annotations = {**ingress.annotations, **tls_annotations(ingress.tls)}
    if annotations:
        api_server["annotations"] = annotations
    return {"ingress": {"apiServer": api_server}}
