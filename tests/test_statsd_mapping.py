"""The test support's reading of statsd_exporter mappings, on the cases its documentation states."""

from __future__ import annotations

import textwrap

from tests.support.statsd import StatsdMapping, StatsdSample, parse_datagram

MAPPINGS = textwrap.dedent(
    """
    mappings:
      - match: airflow.dag.*.*.duration
        name: "airflow_task_duration"
        labels: {dag_id: "$1", task_id: "$2"}
      - match: airflow.operator_failures_(.*)
        match_type: regex
        name: "airflow_operator_failures"
        labels: {operator: "$1"}
      - match: airflow.pool.open_slots
        name: dropped
        action: drop
    """
)


def test_a_glob_star_captures_one_dot_separated_part():
    mapping = StatsdMapping(MAPPINGS)
    assert mapping.prometheus_name("airflow.dag.etl.load.duration") == (
        "airflow_task_duration",
        {"dag_id": "etl", "task_id": "load"},
    )
    # One part more than the glob has: no match, so the name is escaped as it is.
    assert mapping.prometheus_name("airflow.dag.etl.group.load.duration") == (
        "airflow_dag_etl_group_load_duration",
        {},
    )


def test_a_regex_is_unanchored_and_its_groups_fill_labels():
    mapping = StatsdMapping(MAPPINGS)
    assert mapping.prometheus_name("airflow.operator_failures_BashOperator") == (
        "airflow_operator_failures",
        {"operator": "BashOperator"},
    )


def test_unmatched_names_are_escaped_and_drops_vanish():
    mapping = StatsdMapping(MAPPINGS)
    assert mapping.prometheus_name("airflow.dag_processing.last_duration.dags-folder.p") == (
        "airflow_dag_processing_last_duration_dags_folder_p",
        {},
    )
    assert mapping.prometheus_name("airflow.pool.open_slots") is None


def test_timers_become_summaries_and_datagrams_may_batch_lines():
    samples = parse_datagram("airflow.dag.etl.load.duration:12|ms\nairflow.ti_failures:1|c|@0.5")
    assert samples == [
        StatsdSample("airflow.dag.etl.load.duration", "12", "ms"),
        StatsdSample("airflow.ti_failures", "1", "c"),
    ]
    assert StatsdMapping(MAPPINGS).series(samples) == {
        "airflow_task_duration",
        "airflow_task_duration_sum",
        "airflow_task_duration_count",
        "airflow_ti_failures",
    }
