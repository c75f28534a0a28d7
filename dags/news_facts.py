"""news_facts: recompute facts from stored articles, without fetching.

Scheduled on the ``articles`` asset: whenever an hour's articles are (re)published, that hour's
facts are recomputed if today's extractor did not make them (a no-op for a fresh hour). Triggered
by hand with ``from``/``to``, it reprocesses every hour in the range, e.g. after an extractor change.
Each hour is committed again atomically, like an hourly run's publish.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from airflow.sdk import Asset, Param, dag, get_current_context, task
from newsflow_alerts import WebhookNotifier

from newsflow.config import Settings
from newsflow.context import each_hour, parse_logical_date
from newsflow.reprocess import reprocess_hour

log = logging.getLogger(__name__)


@dag(
    dag_id="news_facts",
    description="Facts recomputed from stored articles (on new articles, or for a range by hand)",
    schedule=[Asset("newsflow://articles")],
    start_date=datetime(2026, 11, 1, tzinfo=UTC),
    catchup=False,
    max_active_runs=1,
    dagrun_timeout=timedelta(hours=6),
    on_failure_callback=WebhookNotifier(message="news_facts {{ run_id }} failed"),
    default_args={"owner": "newsflow-ops", "retries": 1, "execution_timeout": timedelta(hours=5)},
    params={
        "from": Param(None, type=["null", "string"], description="first hour to reprocess (ISO 8601)"),
        "to": Param(None, type=["null", "string"], description="last hour to reprocess, inclusive"),
    },
    tags=["newsflow"],
    doc_md=__doc__,
)
def news_facts():
    @task
    def reprocess() -> dict:
        """Reprocess the hours of the triggering asset events, or the ``from``/``to`` range."""
        context = get_current_context()
        params = context["params"]
        if params.get("from") and params.get("to"):
            start, end = parse_logical_date(params["from"], "from"), parse_logical_date(params["to"], "to")
            hours = list(each_hour(start, end))
            only_if_stale = False
        else:
            events = context.get("triggering_asset_events") or {}
            hours = sorted({parse_logical_date(e.extra["hour"]) for evs in events.values() for e in evs if e.extra})
            only_if_stale = True
        data_root = Settings.from_env().data_root
        done = [reprocess_hour(data_root, hour, context["run_id"], only_if_stale=only_if_stale) for hour in hours]
        log.info("reprocessed %d of %d hour(s)", sum(r.done for r in done), len(done))
        return {"hours": len(done), "reprocessed": sum(r.done for r in done)}

    reprocess()


news_facts()
