"""Parallelism and capacity derived from the workload a stack declares (pure)."""

from .settings import Tuning

__all__ = ["Tuning"]
