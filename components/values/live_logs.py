"""Live logs of running and deferred tasks: the hostname a task records must be reachable (pure).

The api-server reads a running task's log from ``http://<ti.hostname>:8793`` (the Celery
worker's log server) and a deferred one's from the triggerer's on 8794. Airflow's default
hostname is the pod name, which resolves nowhere in the cluster for pods of a Deployment
(apache/airflow#35388: "Could not read served logs ... NameResolutionError"). The pod IP is
reachable from the api-server, and the chart's network policies admit it on both ports.
``get_host_ip_address`` resolves the pod's own name through the ``/etc/hosts`` the kubelet
writes, which maps it to the pod IP.
"""

from __future__ import annotations

from ..config.sections.airflow import AirflowConfig

POD_IP_HOSTNAME_CALLABLE = "airflow.utils.net.get_host_ip_address"


def live_logs_airflow_config() -> AirflowConfig:
    return {"core": {"hostname_callable": POD_IP_HOSTNAME_CALLABLE}}
