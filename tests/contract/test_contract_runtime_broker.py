"""Real Airflow 3.2.2 on the CeleryExecutor with the kit's prod config: the broker is down for 60 s
while a fan-out DAG is being queued, and every task still ends in success.

The run is the benchmark's (``benchmarks/broker_outage.py``): Redis stops once the first task
runs, with the rest of the fan-out still to be sent, and comes back with its data 60 s later, as a
Multi-AZ failover's promoted replica would.
"""

from __future__ import annotations

import pytest

from benchmarks.broker_outage import prod_stack, run_with_outage

pytestmark = pytest.mark.contract

OUTAGE_SECONDS = 60
TASKS = 24


def test_a_60_second_broker_outage_loses_no_task(tmp_path):
    figures = run_with_outage(tmp_path, prod_stack(), tasks=TASKS, outage=OUTAGE_SECONDS, sleep=10)
    assert figures.outage_seconds >= OUTAGE_SECONDS
    # Tasks were still being sent when the broker went: some started only after it came back.
    assert figures.recovery_seconds is not None, figures.report()
    assert figures.tasks == TASKS
    assert figures.succeeded == TASKS, figures.report()
    # Not by way of the prod tier's default retries: no try failed (Airflow's own publish failures
    # end as "Error sending Celery workload" and a failed try).
    assert figures.failed_tries == 0, figures.report()
