"""Pure composition of what Airflow receives: its config and the chart values."""
