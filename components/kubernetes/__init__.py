"""Airflow on Kubernetes: the cluster connection and namespace, then the official Helm chart."""

from .airflow import AirflowOnKubernetes
from .cluster import ClusterAccess

__all__ = ["AirflowOnKubernetes", "ClusterAccess"]
