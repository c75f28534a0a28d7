"""news_ingest_hourly: one task per pipeline stage, every hour.

Thin on purpose: the schedule, retries and wiring live here; every task calls one function of
``newsflow.cycle`` (the same ones ``newsflow run`` calls) and passes on a small reference to the
run's staged files, never rows. The hour's partition comes from the run's logical date.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from airflow.sdk import Asset, Param, dag, get_current_context, task

from newsflow import cycle
from newsflow.config import Settings
from newsflow.context import RunContext

log = logging.getLogger(__name__)

ARTICLES = Asset("newsflow://articles")
FACTS = Asset("newsflow://facts")
QUARANTINE = Asset("newsflow://quarantine")
RUNS = Asset("newsflow://runs")


def _stage_task(stage: cycle.Stage, **task_kwargs):
    """A task that runs one stage of ``newsflow.cycle``, logs its counts and passes the reference on."""

    def run_stage(ref: dict) -> dict:
        report = cycle.run_stage(RunContext.from_ref(ref), stage)
        log.info("%s counts: %s", stage.name, report.counts)
        return ref

    return task(task_id=stage.name, doc_md=stage.doc, **task_kwargs)(run_stage)


@dag(
    dag_id="news_ingest_hourly",
    schedule="@hourly",
    start_date=datetime(2026, 11, 1, tzinfo=UTC),
    catchup=False,
    max_active_runs=1,
    default_args={
        "retries": 2,
        "retry_delay": timedelta(minutes=1),
        "retry_exponential_backoff": True,
        "execution_timeout": timedelta(minutes=30),
    },
    params={
        "feeds": Param("", type="string", description="feeds.yaml to use instead of $NEWSFLOW_FEEDS"),
        "replay": Param(False, type="boolean", description="re-derive from the hour's recorded downloads (raw/)"),
    },
    tags=["newsflow"],
    doc_md=__doc__,
)
def news_ingest_hourly():
    @task
    def plan() -> dict:
        """Fix the run's logical hour, data root and feed registry for every later task."""
        context = get_current_context()
        when = context.get("logical_date") or context["dag_run"].run_after
        overrides = {"feeds_file": context["params"]["feeds"]} if context["params"].get("feeds") else {}
        ctx = RunContext.create(
            when, Settings.from_env(**overrides), run_id=context["run_id"], replay=bool(context["params"]["replay"])
        )
        log.info("hour %s, data root %s, feeds %s", ctx.logical_hour.isoformat(), ctx.data_root, ctx.feeds_file)
        return ctx.to_ref()

    ref = plan()
    for stage in cycle.STAGES:  # one task per stage, in the conveyor's order; publish emits the assets
        outlets = [ARTICLES, FACTS, QUARANTINE, RUNS] if stage.name == "publish" else []
        ref = _stage_task(stage, outlets=outlets)(ref)


news_ingest_hourly()
