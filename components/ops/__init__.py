"""`airflow-ha`: the day-2 operations command the runbooks call (docs/runbooks/).

It talks to the live account, Vault and the cluster through boto3, hvac and the Kubernetes
client, never through Pulumi: it reads the same validated stack config as the program
(components/validation.py) and changes nothing the program owns, except what a runbook step
asks for (a snapshot, a failover, a restore drill, a secret, a key rotation).
"""
