"""TLS of the api-server's Ingress: a Secret, cert-manager, an ACM certificate, or TLS that ends upstream.

The names here end up in Kubernetes (Secret, Issuer) or AWS (the ACM certificate), so each is
checked against that system's rule as the stack file is read.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, Field

from .. import name_syntax
from ..base import KitModel

_ACM_CERTIFICATE_ARN = re.compile(r"^arn:aws(-cn|-us-gov)?:acm:[a-z]{2}(-[a-z]+)+-\d:\d{12}:certificate/[0-9a-f-]{36}$")


def _kubernetes_name(value: str) -> str:
    broken = name_syntax.dns_subdomain(value)
    if broken:
        raise ValueError(f"'{value}' is not a Kubernetes name: it {broken}")
    return value


def _dns_name(value: str) -> str:
    if name_syntax.dns_subdomain(value) or "." not in value:
        raise ValueError(
            f"'{value}' is not a DNS host name: dot-separated labels of lowercase letters, digits and '-' "
            "(example: airflow.example.com); a wildcard certificate still serves the exact host name here"
        )
    return value


def _acm_certificate_arn(value: str) -> str:
    if not _ACM_CERTIFICATE_ARN.match(value):
        raise ValueError(
            f"'{value}' is not an ACM certificate ARN (arn:aws:acm:<region>:<12-digit account>:certificate/<uuid>)"
        )
    return value


KubernetesName = Annotated[str, AfterValidator(_kubernetes_name)]
DnsName = Annotated[str, AfterValidator(_dns_name)]
AcmCertificateArn = Annotated[str, AfterValidator(_acm_certificate_arn)]


def acm_region(arn: str) -> str:
    """The region field of an ACM certificate ARN."""
    return arn.split(":")[3]


class CertManagerSection(KitModel):
    cluster_issuer: KubernetesName | None = Field(
        default=None,
        description="cert-manager ClusterIssuer that signs the certificate (`cert-manager.io/cluster-issuer`).",
    )
    issuer: KubernetesName | None = Field(
        default=None,
        description="cert-manager Issuer in the release's namespace (`cert-manager.io/issuer`); "
        "set this or `clusterIssuer`.",
    )


class IngressTlsSection(KitModel):
    secret_name: KubernetesName | None = Field(
        default=None,
        description="TLS Secret (type `kubernetes.io/tls`) the ingress controller serves: one you create, or the one "
        "cert-manager fills. Default with `certManager`: `<release>-api-server-tls`.",
    )
    hosts: list[DnsName] = Field(
        default_factory=list,
        description="Host names the certificate covers, each served by the Ingress. Default: "
        "`kubernetes.ingress.host`, which the list must include.",
    )
    cert_manager: CertManagerSection | None = Field(
        default=None, description="Let cert-manager issue the certificate into `secretName`."
    )
    acm_certificate_arn: AcmCertificateArn | None = Field(
        default=None,
        description="ACM certificate the AWS Load Balancer Controller puts on the ALB (needs `className: alb`); "
        "HTTP redirects to HTTPS.",
    )
    terminated_upstream: bool = Field(
        default=False,
        description="TLS ends before the ingress controller (a TLS listener on the load balancer, a CDN); "
        "the Ingress itself serves plain HTTP.",
    )


# Annotations the kit sets for TLS; `kubernetes.ingress.annotations` may not override them.
CLUSTER_ISSUER_ANNOTATION = "cert-manager.io/cluster-issuer"
ISSUER_ANNOTATION = "cert-manager.io/issuer"
ALB_CERTIFICATE_ANNOTATION = "alb.ingress.kubernetes.io/certificate-arn"
ALB_LISTEN_PORTS_ANNOTATION = "alb.ingress.kubernetes.io/listen-ports"
ALB_SSL_REDIRECT_ANNOTATION = "alb.ingress.kubernetes.io/ssl-redirect"
KIT_TLS_ANNOTATIONS: dict[str, str] = {
    CLUSTER_ISSUER_ANNOTATION: "kubernetes.ingress.tls.certManager.clusterIssuer",
    ISSUER_ANNOTATION: "kubernetes.ingress.tls.certManager.issuer",
    ALB_CERTIFICATE_ANNOTATION: "kubernetes.ingress.tls.acmCertificateArn",
    ALB_LISTEN_PORTS_ANNOTATION: "kubernetes.ingress.tls.acmCertificateArn",
    ALB_SSL_REDIRECT_ANNOTATION: "kubernetes.ingress.tls.acmCertificateArn",
}
# The AWS Load Balancer Controller's IngressClass: the one that reads the ACM annotations.
ALB_CLASS = "alb"


def tls_in_cluster(tls: IngressTlsSection) -> bool:
    """The Ingress itself carries TLS (a Secret the controller serves)."""
    return tls.secret_name is not None or tls.cert_manager is not None


def serves_https(tls: IngressTlsSection) -> bool:
    """Users reach the api-server over HTTPS: TLS on the Ingress, on the ALB, or upstream of both."""
    return tls_in_cluster(tls) or tls.acm_certificate_arn is not None or tls.terminated_upstream
