"""The Ingress's TLS: one way to get a certificate, what that way needs, the prod floor, and an
`[api] base_url` that agrees with how users reach the api-server."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..errors import Problem
from ..model import StackConfig
from ..rule import rule
from ..sections.ingress_tls import ALB_CLASS, KIT_TLS_ANNOTATIONS, acm_region, serves_https, tls_in_cluster

TLS = "kubernetes.ingress.tls"
_WAYS = (
    f"{TLS}.secretName (a TLS Secret you create), {TLS}.certManager.clusterIssuer or .issuer (cert-manager fills "
    f"the Secret), or {TLS}.acmCertificateArn (className alb)"
)
_ANNOTATION_NAME = re.compile(r"^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")
_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")


@rule("kubernetes", "aws")
def ingress_tls_is_coherent(cfg: StackConfig, explicit: frozenset[str]) -> Iterator[Problem]:
    ingress = cfg.kubernetes.ingress
    tls = ingress.tls
    if not ingress.enabled:
        for key in sorted(key for key in explicit if key.startswith((TLS, "kubernetes.ingress.annotations"))):
            yield Problem(key, "has no effect: kubernetes.ingress.enabled is false")
        return
    ways = [
        way
        for way, chosen in (
            ("an in-cluster Secret (secretName or certManager)", tls_in_cluster(tls)),
            ("acmCertificateArn", tls.acm_certificate_arn is not None),
            ("terminatedUpstream", tls.terminated_upstream),
        )
        if chosen
    ]
    if len(ways) > 1:
        yield Problem(
            TLS, f"sets {' and '.join(ways)}; choose one way to terminate TLS: {_WAYS}, or terminatedUpstream"
        )
    if tls.cert_manager is not None and (tls.cert_manager.cluster_issuer is None) == (tls.cert_manager.issuer is None):
        yield Problem(f"{TLS}.certManager", "set exactly one of clusterIssuer (cluster-wide) or issuer (namespaced)")
    if tls_in_cluster(tls):
        if ingress.class_name == ALB_CLASS:
            yield Problem(
                f"{TLS}.secretName" if tls.cert_manager is None else f"{TLS}.certManager",
                "the AWS Load Balancer Controller (className alb) does not serve Kubernetes TLS Secrets; "
                f"use {TLS}.acmCertificateArn",
            )
        if ingress.host is None:
            yield Problem("kubernetes.ingress.host", "is required with TLS on the Ingress: the certificate's host name")
        elif tls.hosts and ingress.host not in tls.hosts:
            yield Problem(f"{TLS}.hosts", f"must include kubernetes.ingress.host ('{ingress.host}')")
    elif tls.hosts:
        yield Problem(f"{TLS}.hosts", "applies to a TLS Secret on the Ingress: set secretName or certManager")
    if tls.acm_certificate_arn is not None:
        yield from _acm_fits(cfg, tls.acm_certificate_arn)
    for key in ingress.annotations:
        yield from _annotation_key(key)
        if key in KIT_TLS_ANNOTATIONS:
            yield Problem(f"kubernetes.ingress.annotations.{key}", f"is set by the kit: use {KIT_TLS_ANNOTATIONS[key]}")


def _acm_fits(cfg: StackConfig, arn: str) -> Iterator[Problem]:
    key = f"{TLS}.acmCertificateArn"
    if cfg.kubernetes.ingress.class_name != ALB_CLASS:
        yield Problem(
            key,
            f"is read by the AWS Load Balancer Controller only: set kubernetes.ingress.className to '{ALB_CLASS}' "
            f"(got '{cfg.kubernetes.ingress.class_name}')",
        )
    if cfg.aws is None:
        yield Problem(key, f"needs an AWS tier; the {cfg.tier} tier has no load balancer controller of AWS")
    elif acm_region(arn) != cfg.aws.region:
        yield Problem(
            key,
            f"is in {acm_region(arn)}, but an ALB uses certificates of its own region, aws.region ({cfg.aws.region})",
        )


def _annotation_key(key: str) -> Iterator[Problem]:
    prefix, _, name = key.rpartition("/")
    prefix_ok = not prefix or (len(prefix) <= 253 and all(_DNS_LABEL.match(label) for label in prefix.split(".")))
    if not prefix_ok or len(name) > 63 or not _ANNOTATION_NAME.match(name):
        yield Problem(
            "kubernetes.ingress.annotations",
            f"'{key}' is not an annotation key: [prefix/]name, the prefix a DNS subdomain, the name at most 63 "
            "letters, digits, '-', '_' or '.', starting and ending with a letter or digit",
        )


@rule("tier", "kubernetes")
def prod_ingress_has_tls(cfg: StackConfig, _explicit: frozenset[str]) -> Iterator[Problem]:
    ingress = cfg.kubernetes.ingress
    if cfg.tier == "prod" and ingress.enabled and not serves_https(ingress.tls):
        yield Problem(
            TLS,
            f"the prod tier refuses an Ingress without TLS: set {_WAYS}; or {TLS}.terminatedUpstream: true "
            "when a load balancer or CDN in front of the controller terminates TLS",
        )


@rule("kubernetes", "airflow")
def base_url_agrees_with_tls(cfg: StackConfig, _explicit: frozenset[str]) -> Iterator[Problem]:
    """The kit sets `[api] base_url` from the Ingress; a stack's own must use the same scheme."""
    ingress = cfg.kubernetes.ingress
    base_url = cfg.airflow.config.get("api", {}).get("base_url")
    if not ingress.enabled or not isinstance(base_url, str):
        return
    https = serves_https(ingress.tls)
    if base_url.startswith("https://") and not https:
        yield Problem(
            "airflow.config.api.base_url",
            f"'{base_url}' says https, but the Ingress has no TLS: configure {TLS} (or terminatedUpstream), "
            "or use http://",
        )
    elif base_url.startswith("http://") and https:
        yield Problem(
            "airflow.config.api.base_url",
            f"'{base_url}' says http, but users reach the api-server over HTTPS ({TLS}); use https://",
        )
