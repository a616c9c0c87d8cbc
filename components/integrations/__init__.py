"""Secrets backends, Slack alerts and OpenLineage: the Pulumi side (the pure side is in ``values``)."""

from .component import Integrations

__all__ = ["Integrations"]
