"""Rules that span keys: production floors, contradictions, missing companions, kit-owned options."""

from __future__ import annotations

from ..rule import Rule
from .adoption import adoption_names_the_retained_keys
from .airflow_options import airflow_config_leaves_kit_options_alone
from .broker import broker_fits_the_stack, rabbitmq_deployment_is_possible
from .coherence import (
    dag_source_is_complete,
    executor_sections_agree,
    integrations_have_what_they_need,
    secrets_backend_has_what_it_needs,
)
from .database_access import database_roles_are_distinct, database_tls_reaches_every_client
from .events import event_sources_are_deliverable, xcom_object_storage_has_a_bucket
from .executor_tiers import local_executor_only_below_staging
from .fernet_rotation import fernet_retirement_keeps_the_current_key
from .ingress_tls import base_url_agrees_with_tls, ingress_tls_is_coherent, prod_ingress_has_tls
from .monitoring import cloudwatch_alarms_reach_someone, local_tier_has_no_cloudwatch, prometheus_can_scrape
from .placement import aws_section_matches_tier, local_tier_has_no_aws
from .prod_floors import broker_hardening, prod_component_floors, prod_database_hardening
from .queues import default_queue_is_served, queue_names_unique, queues_have_worker_sets
from .recovery import own_celery_config_keeps_publish_retries
from .retention import metadata_export_has_a_bucket
from .sizes import limits_not_below_requests, worker_bounds_ordered

CONFIG_RULES: tuple[Rule, ...] = (
    adoption_names_the_retained_keys,
    airflow_config_leaves_kit_options_alone,
    fernet_retirement_keeps_the_current_key,
    aws_section_matches_tier,
    local_tier_has_no_aws,
    prod_component_floors,
    prod_database_hardening,
    broker_hardening,
    broker_fits_the_stack,
    rabbitmq_deployment_is_possible,
    database_roles_are_distinct,
    database_tls_reaches_every_client,
    executor_sections_agree,
    local_executor_only_below_staging,
    metadata_export_has_a_bucket,
    integrations_have_what_they_need,
    secrets_backend_has_what_it_needs,
    dag_source_is_complete,
    limits_not_below_requests,
    worker_bounds_ordered,
    queues_have_worker_sets,
    queue_names_unique,
    default_queue_is_served,
    ingress_tls_is_coherent,
    prod_ingress_has_tls,
    base_url_agrees_with_tls,
    prometheus_can_scrape,
    cloudwatch_alarms_reach_someone,
    local_tier_has_no_cloudwatch,
    own_celery_config_keeps_publish_retries,
    event_sources_are_deliverable,
    xcom_object_storage_has_a_bucket,
)
