"""news_ingest_hourly: one task per pipeline stage, every hour, then the feed-failure policy.

Thin: every stage task calls ``newsflow.cycle.run_stage`` (as ``newsflow run`` does) and passes a
reference to the run's staged files, never rows. A past hour is re-derived from its recorded
downloads, never filled with today's feeds unless the ``live`` param says so. A run whose feeds
mostly failed, or whose site went dark, ends red and alerts (connection ``newsflow_webhook``).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from airflow.sdk import Asset, Param, dag, get_current_context, task
from airflow.sdk.exceptions import AirflowFailException
from newsflow_alerts import WebhookNotifier

from newsflow import cycle, storage
from newsflow.config import Settings
from newsflow.context import RunContext, plan_run
from newsflow.errors import AllFeedsFailed, ConfigError
from newsflow.sources.registry import RegistryError, load_registry

log = logging.getLogger(__name__)

DATASETS = tuple(storage.SCHEMAS)
ASSETS = {name: Asset(f"newsflow://{name}") for name in DATASETS}
HTTP_STAGES = {"fetch_feeds", "fetch_pages"}  # they share the `http` pool (create it: airflow pools set http 4 …)


def _stage_task(stage: cycle.Stage):
    """A task running one stage; configuration errors fail at once (no retry can fix them)."""

    def run_stage(ref: dict) -> dict:
        try:
            report = cycle.run_stage(RunContext.from_ref(ref), stage)
        except (ConfigError, RegistryError, AllFeedsFailed) as exc:  # each fetch was already retried
            raise AirflowFailException(f"{exc} (DAG params: feeds, live, replay)") from exc
        log.info("%s counts: %s", stage.name, report.counts)
        if stage.name == "publish":
            events = get_current_context()["outlet_events"]
            for name in DATASETS:
                events[ASSETS[name]].extra = {"hour": ref["logical_hour"], "rows": report.counts.get(name, 0)}
        return ref

    pool = "http" if stage.name in HTTP_STAGES else "default_pool"
    outlets = list(ASSETS.values()) if stage.name == "publish" else []
    return task(task_id=stage.name, doc_md=stage.doc, pool=pool, outlets=outlets)(run_stage)


@dag(
    dag_id="news_ingest_hourly",
    description="Hourly news ingestion: feeds, pages, articles, facts and quarantine as Parquet",
    schedule="@hourly",
    start_date=datetime(2026, 11, 1, tzinfo=UTC),
    catchup=False,
    max_active_runs=1,
    dagrun_timeout=timedelta(hours=2),
    on_failure_callback=WebhookNotifier(message="news_ingest_hourly {{ run_id }} failed"),
    default_args={
        "owner": "newsflow-ops",
        "retries": 2,
        "retry_delay": timedelta(minutes=1),
        "retry_exponential_backoff": True,
        "execution_timeout": timedelta(minutes=30),
        "on_failure_callback": WebhookNotifier(),
    },
    params={
        "feeds": Param(None, type=["null", "string"], description="feeds.yaml to use (empty: $NEWSFLOW_FEEDS)"),
        "replay": Param(False, type="boolean", description="re-derive from the hour's recorded downloads (raw/)"),
        "live": Param(False, type="boolean", description="fetch live even for a past or already fetched hour"),
    },
    tags=["newsflow"],
    doc_md=__doc__,
)
def news_ingest_hourly():
    @task(retries=0)
    def plan() -> dict:
        """Fix the hour, the data root, the feed registry and how the hour is fetched (live or replay)."""
        context = get_current_context()
        params = context["params"]
        when = context.get("logical_date") or context["dag_run"].run_after
        overrides = {"feeds_file": params["feeds"]} if params.get("feeds") else {}
        try:
            settings = Settings.from_env(**overrides)
            ctx = plan_run(when, settings, run_id=context["run_id"], replay=params["replay"], live=params["live"])
            load_registry(ctx.feeds_file)  # a missing or invalid feeds file fails here, at once
        except (ConfigError, ValueError) as exc:
            raise AirflowFailException(f"{exc} (DAG params: feeds, live, replay)") from exc
        log.info("hour %s, data %s, feeds %s, replay %s", ctx.logical_hour, ctx.data_root, ctx.feeds_file, ctx.replay)
        return ctx.to_ref()

    @task(retries=0)
    def check_feeds(ref: dict) -> None:
        """The feed-failure policy over the published hour (red fails the run) and the stale-feed alert."""
        from newsflow.health.policy import evaluate_hour

        ctx = RunContext.from_ref(ref)
        verdict, stale = evaluate_hour(ctx.data_root, ctx.feeds_file, ctx.logical_hour)
        log.info("feed policy: %s %s", verdict.level, verdict.reasons)
        if stale:
            log.warning("stale feeds: %s", [s.to_dict() for s in stale])
            try:
                notifier = WebhookNotifier(event="stale_feeds", stale_feeds=[s.to_dict() for s in stale])
                notifier.notify(get_current_context())
            except Exception as exc:  # noqa: BLE001 - no webhook configured must not fail the hour
                log.warning("stale-feed alert not sent (%s): add the newsflow_webhook connection", exc)
        if verdict.level == "red":
            raise AirflowFailException("feed policy red: " + "; ".join(verdict.reasons))

    ref: Any = plan()
    for stage in cycle.STAGES:  # one task per stage, in the conveyor's order; publish emits the assets
        ref = _stage_task(stage)(ref)
    check_feeds(ref)


news_ingest_hourly()
