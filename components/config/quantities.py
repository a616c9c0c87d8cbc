"""Kubernetes resource quantities ("500m", "2", "1Gi") as numbers.

Stack config states CPU and memory the way Kubernetes does, because the same strings go
into the chart values; the tuning code needs them as numbers.
"""

from __future__ import annotations

import re

_CPU = re.compile(r"^(\d+(?:\.\d+)?)(m?)$")
_MEMORY = re.compile(r"^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|M|G|T)?$")
_MEMORY_FACTORS = {
    None: 1,
    "k": 10**3,
    "M": 10**6,
    "G": 10**9,
    "T": 10**12,
    "Ki": 2**10,
    "Mi": 2**20,
    "Gi": 2**30,
    "Ti": 2**40,
}


def cpu_cores(quantity: str | int | float) -> float:
    """``"500m"`` → 0.5, ``"2"`` → 2.0."""
    match = _CPU.match(str(quantity).strip())
    if not match:
        raise ValueError(f"'{quantity}' is not a CPU quantity (examples: 250m, 1, 1.5)")
    value = float(match.group(1))
    return value / 1000 if match.group(2) else value


def memory_bytes(quantity: str | int) -> int:
    """``"1Gi"`` → 1073741824, ``"512M"`` → 512000000."""
    match = _MEMORY.match(str(quantity).strip())
    if not match:
        raise ValueError(f"'{quantity}' is not a memory quantity (examples: 512Mi, 2Gi, 1G)")
    return int(float(match.group(1)) * _MEMORY_FACTORS[match.group(2)])


def memory_mib(quantity: str | int) -> float:
    return memory_bytes(quantity) / 2**20
