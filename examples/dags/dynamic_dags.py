"""Dynamic DAG generation from a config file: one DAG per entry of ``dynamic_dags.json``.

The file sits next to this one, so it travels with the DAG bundle (Git, S3 or the image). It is
read at parse time, which the dag-processor repeats every few seconds: keep it a local file, never
a network call or an Airflow Variable lookup (with a secrets backend that is one request per parse
per file). Each generated DAG gets its own ``dag_id`` and is assigned at module level, where the
dag-processor finds it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pendulum
from airflow.sdk import dag, task

CONFIG = Path(__file__).with_name("dynamic_dags.json")


def export_dag(name: str, tables: list[str], schedule: str | None):
    @dag(
        dag_id=f"example_export_{name}",
        schedule=schedule,
        start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
        catchup=False,
        tags=["example", "dynamic"],
        doc_md=f"Exports the {name} tables {', '.join(tables)}; generated from {CONFIG.name}.",
    )
    def export():
        @task
        def export_table(table: str) -> str:
            return f"{name}.{table}"

        for table in tables:
            export_table.override(task_id=f"export_{table}")(table)

    return export()


for entry in json.loads(CONFIG.read_text())["exports"]:
    globals()[f"example_export_{entry['name']}"] = export_dag(entry["name"], entry["tables"], entry["schedule"])
