"""The whole health view in one call: load a lookback of published hours, compute feeds and hours.

This is what the Airflow plugin's page and JSON API call; it reads files (through
:mod:`newsflow.health.load` and its cache) and hands the tables to the pure functions.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from newsflow.context import floor_hour
from newsflow.health.feeds import DEFAULT_STALE_AFTER_HOURS, FeedConfig, FeedHealth, _jsonable, feed_health
from newsflow.health.hours import HourCounts, hourly_counts
from newsflow.health.load import load_history, published_hours


@dataclass(frozen=True)
class HealthReport:
    generated_at: datetime
    end: datetime  # the newest hour of the window
    hours: int  # the window's length (sparklines, rates, per-hour table)
    lookback_hours: int  # how far back last success / last error are searched
    feeds: list[FeedHealth]
    per_hour: list[HourCounts]  # newest first
    published_hours: int  # published hours in the lookback
    problems: tuple[str, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        return _jsonable(self.__dict__)


def window_end(data_root: Path, now: datetime) -> datetime:
    """The current hour, or the newest published hour if the data runs ahead of the clock."""
    current = floor_hour(now)
    hours = published_hours(data_root, "runs")
    return max(current, hours[-1]) if hours else current


def build_report(
    data_root: Path,
    feeds: Iterable[FeedConfig],
    now: datetime,
    hours: int = 24,
    lookback_hours: int = 7 * 24,
    next_poll: datetime | None = None,
    default_stale_after_hours: int = DEFAULT_STALE_AFTER_HOURS,
    problems: Iterable[str] = (),
) -> HealthReport:
    """Health of every feed and hour under ``data_root`` as of ``now``."""
    hours = max(1, hours)
    lookback_hours = max(hours, lookback_hours)
    end = window_end(data_root, now)
    history = load_history(data_root, end - timedelta(hours=lookback_hours - 1), end)
    return HealthReport(
        generated_at=now,
        end=end,
        hours=hours,
        lookback_hours=lookback_hours,
        feeds=feed_health(history.runs, history.fetches, feeds, end, hours, next_poll, default_stale_after_hours),
        per_hour=hourly_counts(history.runs, end, hours),
        published_hours=len(history.hours),
        problems=(*problems, *history.problems),
    )
