"""The Pulumi program: validate the whole stack config first, then build the platform."""

from __future__ import annotations

import pulumi

from .config.errors import ConfigError
from .config.pulumi_source import config_from_pulumi


def main() -> None:
    try:
        cfg = config_from_pulumi()
    except ConfigError as error:
        # RunError prints the report alone, without a Python traceback, and nothing is created.
        raise pulumi.RunError(error.report()) from None

    from .platform import AirflowPlatform  # imported after validation: a bad config costs no SDK import

    platform = AirflowPlatform(cfg.stack, cfg)
    for key, value in platform.outputs.items():
        pulumi.export(key, value)
