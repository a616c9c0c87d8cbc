"""The Pulumi program: validate the whole stack config first, then build the platform."""

from __future__ import annotations

import pulumi

from ..config.errors import ConfigError
from .pulumi_config import config_from_pulumi


def main() -> None:
    try:
        cfg = config_from_pulumi()
    except ConfigError as error:
        # RunError prints the report alone, without a Python traceback, and nothing is created.
        raise pulumi.RunError(error.report()) from None

    # Imported after validation: a bad config costs no SDK import beyond pulumi's own.
    from ..args import platform_args
    from .platform import AirflowPlatform

    platform = AirflowPlatform(cfg.stack, platform_args(cfg))
    for key, value in platform.outputs.items():
        pulumi.export(key, value)
