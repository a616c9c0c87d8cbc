"""Where Airflow runs in the cluster: namespace, release, context, network policies, ingress."""

from __future__ import annotations

import ipaddress
from typing import Annotated

from pydantic import AfterValidator, Field

from ..base import KitModel
from .ingress_tls import IngressTlsSection
from .pod_security import PodSecuritySection


def _check_cidr(value: str) -> str:
    try:
        ipaddress.ip_network(value)
    except ValueError:
        raise ValueError(f"'{value}' is not a CIDR block (example: 10.0.0.0/16)") from None
    return value


class IngressSection(KitModel):
    enabled: bool = Field(description="Create an Ingress for the api-server (UI and REST API).")
    class_name: str = Field(default="nginx", description="IngressClass of the controller.")
    host: str | None = Field(default=None, description="Host name of the Airflow UI.")
    controller_namespace: str = Field(
        default="ingress-nginx",
        description="Namespace of the ingress controller; the api-server's network policy admits it.",
    )
    source_cidrs: list[Annotated[str, AfterValidator(_check_cidr)]] = Field(
        default_factory=list,
        description="CIDRs the api-server's network policy also admits: load balancers that send traffic "
        "straight to pod IPs (AWS Load Balancer Controller with target-type ip) need the VPC's CIDR here.",
    )
    annotations: dict[str, str] = Field(
        default_factory=dict,
        description="Extra annotations of the Ingress, for the controller (e.g. `alb.ingress.kubernetes.io/scheme`). "
        "The ones the kit sets for TLS cannot be overridden here.",
    )
    tls: IngressTlsSection = Field(
        default_factory=IngressTlsSection,
        description="TLS of the Ingress; the prod tier requires it (or `terminatedUpstream`).",
    )


class KubernetesSection(KitModel):
    namespace: str = Field(default="airflow", description="Namespace Airflow is installed in (created by the kit).")
    release_name: str = Field(
        default="airflow",
        description="Helm release name. Pinned: service-account names and IRSA trust depend on it.",
        pattern=r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$",
        max_length=40,
    )
    context: str | None = Field(
        default=None,
        description="kubeconfig context to deploy to. Default: the EKS cluster (AWS tiers) or the current context.",
    )
    network_policies: bool = Field(description="Install the chart's NetworkPolicies plus the kit's allow rules.")
    monitoring_namespace: str | None = Field(
        default=None,
        description="Namespace of your Prometheus; the network policies admit it to PgBouncer's and StatsD's metrics.",
    )
    ingress: IngressSection = Field(description="The api-server's Ingress.")
    pod_security: PodSecuritySection = Field(
        default_factory=PodSecuritySection,
        description="Pod Security Admission level of the namespace, Kubernetes API tokens, task root filesystems.",
    )
