"""The explicit AWS provider every data-plane resource is created with.

An explicit provider pins the region from the stack config (not from whatever ``AWS_REGION``
the operator's shell has) and stamps the kit's tags on every resource through ``default_tags``.
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from ..config.errors import PROJECT
from ..config.model import StackConfig


def kit_tags(cfg: StackConfig) -> dict[str, str]:
    """The stack's own tags, then the kit's (which a stack cannot override)."""
    assert cfg.aws is not None
    return {
        **cfg.aws.tags,
        f"{PROJECT}:stack": cfg.stack,
        f"{PROJECT}:tier": cfg.tier,
        f"{PROJECT}:release": cfg.kubernetes.release_name,
        "managed-by": "pulumi",
    }


def aws_provider(name: str, cfg: StackConfig, parent: pulumi.Resource) -> aws.Provider:
    assert cfg.aws is not None
    return aws.Provider(
        name,
        region=cfg.aws.region,
        default_tags=aws.ProviderDefaultTagsArgs(tags=kit_tags(cfg)),
        opts=pulumi.ResourceOptions(parent=parent),
    )
