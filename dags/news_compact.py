"""news_compact: daily housekeeping that never changes what a reader sees.

Removes superseded versions of hours and the staging of runs that died, trims the fetch state's
history, and checks every committed hour's ``_SUCCESS`` markers against its files; a damaged
partition fails the task (and alerts) instead of being read silently.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from airflow.sdk import dag, task
from airflow.sdk.exceptions import AirflowFailException
from newsflow_alerts import WebhookNotifier

from newsflow.compact import compact
from newsflow.config import Settings

log = logging.getLogger(__name__)


@dag(
    dag_id="news_compact",
    description="Daily housekeeping of the data root (old versions, dead runs, fetch-state history)",
    schedule="@daily",
    start_date=datetime(2026, 11, 1, tzinfo=UTC),
    catchup=False,
    max_active_runs=1,
    dagrun_timeout=timedelta(hours=2),
    on_failure_callback=WebhookNotifier(message="news_compact {{ run_id }} failed"),
    default_args={"owner": "newsflow-ops", "retries": 1, "execution_timeout": timedelta(hours=1)},
    tags=["newsflow"],
    doc_md=__doc__,
)
def news_compact():
    @task
    def housekeeping() -> dict:
        report = compact(Settings.from_env().data_root)
        log.info("compact: %s", report)
        if report.damaged:
            raise AirflowFailException(f"damaged partitions: {report.damaged}; rerun those hours")
        return report.__dict__

    housekeeping()


news_compact()
