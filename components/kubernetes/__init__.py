"""Airflow on Kubernetes: the cluster connection and namespace, then the official Helm chart."""

from .airflow import AirflowOnKubernetes
from .cluster import ClusterAccess
from .monitoring import AirflowMonitoring

__all__ = ["AirflowMonitoring", "AirflowOnKubernetes", "ClusterAccess"]
