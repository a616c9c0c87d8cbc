"""The naming rules of the systems the kit's values end up in, as checks that say the rule (pure).

Used by the section models (a field that is always a name) and by ``naming/rules.py`` (checks
that need the rest of the stack).

Each check returns ``None`` for a valid name, or the rule the name breaks, worded for a config
report: "must be a DNS label: ...". Sources: Kubernetes (RFC 1123 labels and subdomains, label
keys and values), the OCI distribution spec (image references), Amazon S3 bucket naming, AWS
tagging and Secrets Manager name rules.
"""

from __future__ import annotations

import ipaddress
import re

DNS_LABEL_MAX = 63
DNS_SUBDOMAIN_MAX = 253
LABEL_VALUE_MAX = 63
S3_BUCKET_MIN, S3_BUCKET_MAX = 3, 63
AWS_TAG_KEY_MAX, AWS_TAG_VALUE_MAX = 128, 256
SECRETS_MANAGER_NAME_MAX = 512
IMAGE_TAG_MAX = 128

_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_LABEL_NAME = re.compile(r"^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")
_S3_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]*[a-z0-9]$")
_AWS_TAG = re.compile(r"^[\w\s.:/=+\-@]*$")
_SECRETS_MANAGER_NAME = re.compile(r"^[A-Za-z0-9/_+=.@-]+$")
_IMAGE_PATH_COMPONENT = re.compile(r"^[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*$")
_IMAGE_TAG = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")
_REGISTRY_HOST = re.compile(r"^([A-Za-z0-9-]+\.)*[A-Za-z0-9-]+(:\d+)?$")


def dns_label(name: str) -> str | None:
    """A namespace, a Service, a Job: RFC 1123 label."""
    if len(name) > DNS_LABEL_MAX or not _DNS_LABEL.match(name):
        return (
            f"must be a DNS label: at most {DNS_LABEL_MAX} lowercase letters, digits and '-', "
            "starting and ending with a letter or digit"
        )
    return None


def dns_subdomain(name: str) -> str | None:
    """A Secret, an IngressClass, a host name: RFC 1123 subdomain (dot-separated labels)."""
    if len(name) > DNS_SUBDOMAIN_MAX or not all(_DNS_LABEL.match(part) for part in name.split(".")):
        return (
            f"must be a DNS subdomain: at most {DNS_SUBDOMAIN_MAX} characters of dot-separated DNS labels "
            "(lowercase letters, digits and '-', each starting and ending with a letter or digit)"
        )
    return None


def host_name(name: str) -> str | None:
    """An Ingress host: a DNS subdomain, optionally with one leading wildcard label (``*.example.com``)."""
    return dns_subdomain(name.removeprefix("*.") if name.startswith("*.") else name)


def label_key(key: str) -> str | None:
    """A label or node-selector key, or a taint key: ``[prefix/]name``."""
    prefix, _, name = key.rpartition("/")
    if prefix and dns_subdomain(prefix):
        return f"must be a label key: its prefix '{prefix}' must be a DNS subdomain"
    if not name or len(name) > LABEL_VALUE_MAX or not _LABEL_NAME.match(name):
        return (
            f"must be a label key: [prefix/]name, the name at most {LABEL_VALUE_MAX} letters, digits, "
            "'-', '_' or '.', starting and ending with a letter or digit"
        )
    return None


def label_value(value: str) -> str | None:
    if value and (len(value) > LABEL_VALUE_MAX or not _LABEL_NAME.match(value)):
        return (
            f"must be a label value: empty, or at most {LABEL_VALUE_MAX} letters, digits, '-', '_' or '.', "
            "starting and ending with a letter or digit"
        )
    return None


def image_repository(reference: str) -> str | None:
    """``[registry[:port]/]path`` as the OCI distribution spec allows it."""
    parts = reference.split("/")
    host = parts[0] if len(parts) > 1 and ("." in parts[0] or ":" in parts[0] or parts[0] == "localhost") else None
    path = parts[1:] if host else parts
    if (host and not _REGISTRY_HOST.match(host)) or not all(_IMAGE_PATH_COMPONENT.match(part) for part in path):
        return (
            "must be an image repository: [registry[:port]/]name[/name...], each name lowercase letters and "
            "digits separated by '.', '_', '__' or '-'"
        )
    return None


def image_tag(tag: str) -> str | None:
    if len(tag) > IMAGE_TAG_MAX or not _IMAGE_TAG.match(tag):
        return (
            f"must be an image tag: at most {IMAGE_TAG_MAX} letters, digits, '_', '.' or '-', "
            "not starting with '.' or '-'"
        )
    return None


def s3_bucket(name: str) -> str | None:
    """Amazon S3 general-purpose bucket naming rules."""
    broken = (
        not S3_BUCKET_MIN <= len(name) <= S3_BUCKET_MAX
        or not _S3_BUCKET.match(name)
        or ".." in name
        or name.startswith(("xn--", "sthree-", "amzn-s3-demo-"))
        or name.endswith(("-s3alias", "--ol-s3", ".mrap", "--x-s3"))
        or _is_ip_address(name)
    )
    if broken:
        return (
            f"must be an S3 bucket name: {S3_BUCKET_MIN} to {S3_BUCKET_MAX} lowercase letters, digits, '.' and '-', "
            "starting and ending with a letter or digit, not shaped like an IP address, without '..', "
            "and without the prefixes and suffixes S3 reserves"
        )
    return None


def aws_tag_key(key: str) -> str | None:
    if not key or len(key) > AWS_TAG_KEY_MAX or not _AWS_TAG.match(key) or key.lower().startswith("aws:"):
        return (
            f"must be an AWS tag key: 1 to {AWS_TAG_KEY_MAX} letters, digits, spaces and _ . : / = + - @, "
            "not starting with 'aws:'"
        )
    return None


def aws_tag_value(value: str) -> str | None:
    if len(value) > AWS_TAG_VALUE_MAX or not _AWS_TAG.match(value):
        return f"must be an AWS tag value: at most {AWS_TAG_VALUE_MAX} letters, digits, spaces and _ . : / = + - @"
    return None


def secrets_manager_prefix(prefix: str) -> str | None:
    if len(prefix) > SECRETS_MANAGER_NAME_MAX or not _SECRETS_MANAGER_NAME.match(prefix):
        return (
            f"must be a Secrets Manager name prefix: at most {SECRETS_MANAGER_NAME_MAX} letters, digits "
            "and / _ + = . @ -"
        )
    return None


def _is_ip_address(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True
