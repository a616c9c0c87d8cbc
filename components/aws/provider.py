"""The explicit AWS provider every data-plane resource is created with.

An explicit provider pins the region from the stack config (not from whatever ``AWS_REGION``
the operator's shell has) and stamps the kit's tags on every resource through ``default_tags``.
"""

from __future__ import annotations

from collections.abc import Mapping

import pulumi
import pulumi_aws as aws


def aws_provider(name: str, region: str, tags: Mapping[str, str], parent: pulumi.Resource) -> aws.Provider:
    return aws.Provider(
        name,
        region=region,
        default_tags=aws.ProviderDefaultTagsArgs(tags=dict(tags)),
        opts=pulumi.ResourceOptions(parent=parent),
    )
