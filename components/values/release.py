"""The Helm release's values, composed once the AWS references and Secret checksums are known (pure).

The Pulumi layer learns those two only when its Outputs resolve; it hands them to
``ReleaseValues.compose`` and never reads the stack config itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..config.model import StackConfig
from ..naming.kubernetes import Names
from ..tuning.model import Tuning
from .airflow_config import compose_airflow_config
from .chart import compose_chart_values
from .integrations import integration_chart_inputs, integration_specs
from .refs import AwsRefs


@dataclass(frozen=True)
class ReleaseValues:
    cfg: StackConfig
    names: Names
    tuning: Tuning

    def compose(self, refs: AwsRefs | None, secret_checksums: Mapping[str, str]) -> dict[str, Any]:
        airflow_config = compose_airflow_config(self.cfg, self.tuning, refs)
        inputs = integration_chart_inputs(integration_specs(self.cfg), self.names)
        return compose_chart_values(
            self.cfg, self.names, self.tuning, refs, airflow_config, inputs, secret_checksums=secret_checksums
        )
