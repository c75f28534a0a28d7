"""Feed and pipeline health from the published ``runs`` and ``fetches`` datasets.

Pure functions on projected pyarrow tables (:mod:`~newsflow.health.feeds`,
:mod:`~newsflow.health.hours`, :mod:`~newsflow.health.stale`), one cheap cached reader
(:mod:`~newsflow.health.load`) and the one call the UI makes (:func:`build_report`). No Airflow
here: the Airflow plugin in ``plugins/`` renders what these return, and a DAG task calls
:func:`check_stale`.
"""

from newsflow.health.feeds import DEFAULT_STALE_AFTER_HOURS, FeedConfig, FeedHealth, FeedHour, LastError, feed_health
from newsflow.health.hours import HourCounts, hourly_counts
from newsflow.health.load import History, load_history, load_window, published_hours
from newsflow.health.report import HealthReport, build_report
from newsflow.health.stale import StaleFeed, check_stale, stale_feeds

__all__ = [
    "DEFAULT_STALE_AFTER_HOURS",
    "FeedConfig",
    "FeedHealth",
    "FeedHour",
    "HealthReport",
    "History",
    "HourCounts",
    "LastError",
    "StaleFeed",
    "build_report",
    "check_stale",
    "feed_health",
    "hourly_counts",
    "load_history",
    "load_window",
    "published_hours",
    "stale_feeds",
]
