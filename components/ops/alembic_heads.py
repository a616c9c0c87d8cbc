"""The metadata schema revision (``alembic_version``) each Airflow release leaves after ``airflow db migrate``.

From Airflow's own ``airflow.utils.db._REVISION_HEADS_MAP`` (a test checks this copy against the
installed Airflow), so the ops command needs no Airflow installed. A release without its own
entry has the revision of the newest entry before it: it added no migration.
"""

from __future__ import annotations

REVISION_HEADS: dict[str, str] = {
    "3.0.0": "29ce7909c52b",
    "3.0.3": "fe199e1abd77",
    "3.1.0": "cc92b33c6709",
    "3.1.8": "509b94a1042d",
    "3.2.0": "1d6611b6ab7c",
}


def _key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split(".")[:3] if part.isdigit())


def revision_of(airflow_version: str) -> str | None:
    """The schema revision of ``airflow_version``, or None when it predates or postdates the table."""
    known = [v for v in REVISION_HEADS if _key(v) <= _key(airflow_version)]
    newest_known = max(REVISION_HEADS, key=_key)
    if not known or _key(airflow_version)[:2] > _key(newest_known)[:2]:
        return None  # a newer minor release may have migrations this table does not know
    return REVISION_HEADS[max(known, key=_key)]
