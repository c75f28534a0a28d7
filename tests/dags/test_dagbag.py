"""Every DAG imports cleanly and news_ingest_hourly is wired as the design says."""

import pytest

from newsflow.cycle import STAGE_NAMES
from tests.dags.conftest import ROOT

STAGES = ["plan", *STAGE_NAMES, "check_feeds"]


@pytest.fixture(scope="module")
def dagbag():
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(ROOT / "dags"))


def test_no_import_errors(dagbag):
    assert dagbag.import_errors == {}
    assert "news_ingest_hourly" in dagbag.dag_ids


def test_hourly_schedule_and_policies(dagbag):
    dag = dagbag.dags["news_ingest_hourly"]
    assert dag.schedule == "@hourly"
    # CronTriggerTimetable: data_interval_start == end == logical_date, so the hour comes from logical_date.
    assert type(dag.timetable).__name__ == "CronTriggerTimetable" and dag.timetable.expression == "0 * * * *"
    assert dag.max_active_runs == 1 and dag.catchup is False
    assert dag.dagrun_timeout is not None and dag.description and dag.on_failure_callback
    for task in dag.tasks:
        # Stages retry transient failures; planning and the feed policy are deterministic: no retry.
        assert task.retries >= (0 if task.task_id in ("plan", "check_feeds") else 2), task.task_id
        assert task.execution_timeout is not None and task.owner == "newsflow-ops"
        assert task.on_failure_callback, task.task_id
    assert {t.task_id for t in dag.tasks if t.pool == "http"} == {"fetch_feeds", "fetch_pages"}
    # Every param has a usable default, so Trigger and Backfill work without typing anything.
    assert dag.params.validate() == {"feeds": None, "replay": False, "live": False}


def test_one_task_per_stage_in_order(dagbag):
    dag = dagbag.dags["news_ingest_hourly"]
    assert sorted(dag.task_ids) == sorted(STAGES)
    for upstream, downstream in zip(STAGES, STAGES[1:], strict=False):
        assert downstream in dag.get_task(upstream).downstream_task_ids
    publish = dag.get_task("publish")
    assert {o.uri.rstrip("/") for o in publish.outlets} == {
        "newsflow://articles",
        "newsflow://facts",
        "newsflow://quarantine",
        "newsflow://runs",
        "newsflow://fetches",
        "newsflow://sightings",
    }
    # The fetch stages are mapped over shards of the hour's hosts; every other stage is one task.
    assert {t.task_id for t in dag.tasks if t.is_mapped} == {"fetch_feeds", "fetch_pages"}


def test_dags_hold_no_business_logic():
    """DAG files stay thin: no parsing, HTTP, Parquet or model code of their own."""
    for path in (ROOT / "dags").glob("*.py"):
        source = path.read_text()
        for forbidden in (
            "import httpx",
            "import pyarrow",
            "import trafilatura",
            "import spacy",
            "feedparser",
            "great_expectations",
        ):
            assert forbidden not in source, (path.name, forbidden)
        assert len(source.splitlines()) < 120
