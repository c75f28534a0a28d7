"""news_ingest_hourly: one task per pipeline stage, every hour, then the feed-failure policy.

Thin: every stage task calls ``newsflow.cycle.run_stage`` (as ``newsflow run`` does) and passes
references to the run's staged files, never rows. The fetch stages are mapped over shards of the
hour's hosts (``NEWSFLOW_FETCH_SHARDS``), so Celery workers fetch side by side, each host politely
paced by one of them. A past hour is re-derived from its recorded downloads, never filled with
today's feeds unless the ``live`` param says so. A run whose feeds mostly failed, or whose site went
dark, ends red and alerts (connection ``newsflow_webhook``)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from airflow.sdk import Asset, Param, dag, get_current_context, task
from airflow.sdk.exceptions import AirflowFailException
from newsflow_alerts import WebhookNotifier, alert_stale_feeds

from newsflow import cycle, storage
from newsflow.config import Settings
from newsflow.context import RunContext, plan_run
from newsflow.errors import AllFeedsFailed, ConfigError
from newsflow.sources.registry import RegistryError

log = logging.getLogger(__name__)

DATASETS = tuple(storage.SCHEMAS)
ASSETS = {name: Asset(f"newsflow://{name}") for name in DATASETS}


def _stage_task(stage: cycle.Stage):
    """A task running one stage; configuration errors fail at once (no retry can fix them)."""

    def run_stage(ref: Any) -> Any:
        ctx = RunContext.from_ref(ref)  # a shard's, or (the whole hour) every shard's references
        try:
            report = cycle.run_stage(ctx, stage)
        except (ConfigError, RegistryError, AllFeedsFailed) as exc:  # each fetch was already retried
            raise AirflowFailException(f"{exc} (DAG params: feeds, live, replay)") from exc
        log.info("%s counts: %s", stage.name, report.counts)
        if stage.name == "publish":
            events = get_current_context()["outlet_events"]
            for name in DATASETS:
                events[ASSETS[name]].extra = {"hour": ctx.logical_hour.isoformat(), "rows": report.counts.get(name, 0)}
        return ref

    pool = "http" if stage.sharded else "default_pool"  # the fetch stages share `http` (airflow pools set http 4 …)
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
    def plan() -> list[dict]:
        """Fix the hour, the data root, the feed registry and how the hour is fetched (live or replay)."""
        context = get_current_context()
        params = context["params"]
        when = context.get("logical_date") or context["dag_run"].run_after
        overrides = {"feeds_file": params["feeds"]} if params.get("feeds") else {}
        try:
            settings = Settings.from_env(**overrides)
            ctx = plan_run(
                when, settings, run_id=context["run_id"], replay=params["replay"], live=params["live"], sharded=True
            )
        except (ConfigError, RegistryError, ValueError) as exc:
            raise AirflowFailException(f"{exc} (DAG params: feeds, live, replay)") from exc
        log.info("plan: %s", ctx.to_ref())
        return ctx.shard_refs()

    @task(retries=0)
    def check_feeds(ref: list[dict]) -> None:
        """The feed-failure policy over the published hour (red fails the run) and the stale-feed alert."""
        from newsflow.health.policy import evaluate_hour

        ctx = RunContext.from_ref(ref)
        verdict, stale = evaluate_hour(ctx.data_root, ctx.feeds_file, ctx.logical_hour)
        log.info("feed policy: %s %s", verdict.level, verdict.reasons)
        if stale:
            alert_stale_feeds([s.to_dict() for s in stale], get_current_context())
        if verdict.level == "red":
            raise AirflowFailException("feed policy red: " + "; ".join(verdict.reasons))

    shards: Any = plan()  # one reference per shard of the hour's hosts; all of them stand for the hour
    previous: Any = shards
    for stage in cycle.STAGES:  # one task per stage (mapped over the shards for a sharded one); in order
        current = _stage_task(stage).expand(ref=shards) if stage.sharded else _stage_task(stage)(shards)
        previous >> current
        previous = current
    previous >> check_feeds(shards)


news_ingest_hourly()
