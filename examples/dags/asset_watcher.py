"""Event-driven scheduling: an asset watched through the SQS queue of an event source.

The stack declares the source (``events.sources``: bucket ``orders/`` prefix); the kit builds the
SQS queue that the bucket's notifications feed and gives its URL to every Airflow container as the
Airflow Variable ``event_queue_landing_orders`` (env ``AIRFLOW_VAR_EVENT_QUEUE_LANDING_ORDERS``).
It is read here from the environment, at parse time, with no secrets-backend round trip. The
``MessageQueueTrigger`` runs on the triggerer (whose role alone may read the queue); each S3
notification becomes an asset event, and each asset event a run of this DAG. The JSONPath filter
keeps only object notifications: S3's ``s3:TestEvent`` (sent once when the notification is set)
is left in the queue and ends in its dead-letter queue.

Needs the providers ``apache-airflow-providers-common-messaging`` and
``apache-airflow-providers-amazon`` (with ``aiobotocore``) in the image.
"""

from __future__ import annotations

import json
import os
from urllib.parse import unquote_plus

import pendulum
from airflow.providers.common.messaging.triggers.msg_queue import MessageQueueTrigger
from airflow.sdk import Asset, AssetWatcher, dag, task

QUEUE_URL = os.environ.get("AIRFLOW_VAR_EVENT_QUEUE_LANDING_ORDERS", "")

new_orders = Asset(
    "landing_orders",
    watchers=[
        AssetWatcher(
            name="landing_orders_queue",
            trigger=MessageQueueTrigger(
                scheme="sqs",
                sqs_queue=QUEUE_URL,
                aws_conn_id="aws_irsa",
                wait_time_seconds=20,  # long polling: one request per 20 s while the queue is empty
                waiter_delay=1,
                max_messages=10,
                message_filtering="jsonpath",
                message_filtering_config="Records[*].s3.object.key",
            ),
        )
    ],
)


@dag(
    dag_id="example_asset_watcher",
    schedule=[new_orders],
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    tags=["example", "events"],
)
def asset_watcher():
    @task
    def ingest(triggering_asset_events=None) -> list[str]:
        """The keys of the new objects, from the S3 notifications the trigger received."""
        keys = []
        for events in triggering_asset_events.values():
            for event in events:
                for message in event.extra.get("payload", {}).get("message_batch", []):
                    records = json.loads(message["Body"]).get("Records", [])
                    # S3 URL-encodes the key in its notifications.
                    keys += [unquote_plus(record["s3"]["object"]["key"]) for record in records]
        return keys

    ingest()


asset_watcher()
