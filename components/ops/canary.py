"""What `airflow-ha verify` and `airflow-ha secrets check` know about the canary DAG (``canary_dag.py``).

The DAG file is copied into the stack's DAGs as is and imports nothing from the kit, so it carries
the same names itself; a test keeps the two in step.
"""

from __future__ import annotations

from pathlib import Path

CANARY_DAG_ID = "airflow_ha_canary"
# The variable the canary reads through the stack's secrets backend (set it with `airflow-ha secrets set-variable`).
CANARY_VARIABLE = "airflow_ha_canary"
# A line each executor's task logs; `verify` reads it back through the api-server's log endpoint.
CANARY_LOG_MARKER = "airflow-ha canary: ran on"
CANARY_DAG_FILE = Path(__file__).with_name("canary_dag.py")
