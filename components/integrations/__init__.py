"""Secrets backends, Slack alerts and OpenLineage: what Airflow needs to use them (issue 5).

The pure modules decide what Airflow is told (config, env vars, Secrets, the cluster policy);
``resources.py`` is the thin Pulumi layer that creates the Secrets and the Vault side.
"""
