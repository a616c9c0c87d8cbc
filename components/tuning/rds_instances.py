"""RDS PostgreSQL instance classes and the ``max_connections`` their default parameter group gives.

RDS sets ``max_connections`` to ``LEAST({DBInstanceClassMemory/9531392}, 5000)``.
``DBInstanceClassMemory`` is the instance's memory minus what the operating system and the RDS
processes keep for themselves; AWS does not publish it per class. Measured defaults
(``SHOW max_connections``) put it between 88 % and 97 % of the nominal memory: db.t2.small
(2 GiB) 198, db.t2.medium (4 GiB) 413, db.t2.large (8 GiB) 856, db.r4.large (15.25 GiB) 1660.
The kit takes the lowest ratio, 88 %, so its estimate never exceeds what RDS really allows;
a stack whose parameter group sets ``max_connections`` states it in ``database.maxConnections``.
"""

from __future__ import annotations

import math

GIB = 2**30
RDS_CONNECTION_MEMORY_BYTES = 9531392
RDS_MAX_CONNECTIONS_CEILING = 5000
USABLE_MEMORY_RATIO = 0.88

# Memory (GiB) of each size, by how Graviton/Intel families scale: general purpose (m) 4 GiB per
# vCPU, memory optimised (r) 8 GiB per vCPU. Burstable (t) classes are listed one by one.
_VCPUS = {
    "large": 2,
    "xlarge": 4,
    "2xlarge": 8,
    "4xlarge": 16,
    "8xlarge": 32,
    "12xlarge": 48,
    "16xlarge": 64,
    "24xlarge": 96,
}
_GENERAL_PURPOSE = ("m5", "m6g", "m6i", "m7g", "m7i", "m8g")
_MEMORY_OPTIMISED = ("r5", "r6g", "r6i", "r7g", "r7i", "r8g")
_BURSTABLE = {"micro": 1, "small": 2, "medium": 4, "large": 8, "xlarge": 16, "2xlarge": 32}

INSTANCE_MEMORY_GIB: dict[str, float] = {
    **{f"db.{family}.{size}": gib for family in ("t3", "t4g") for size, gib in _BURSTABLE.items()},
    **{f"db.{family}.{size}": 4 * vcpus for family in _GENERAL_PURPOSE for size, vcpus in _VCPUS.items()},
    **{f"db.{family}.{size}": 8 * vcpus for family in _MEMORY_OPTIMISED for size, vcpus in _VCPUS.items()},
}


def rds_default_max_connections(instance_class: str) -> int | None:
    """``max_connections`` of the class under RDS's default parameter group; None for a class not in the table."""
    gib = INSTANCE_MEMORY_GIB.get(instance_class)
    if gib is None:
        return None
    usable_bytes = gib * GIB * USABLE_MEMORY_RATIO
    return min(math.floor(usable_bytes / RDS_CONNECTION_MEMORY_BYTES), RDS_MAX_CONNECTIONS_CEILING)
