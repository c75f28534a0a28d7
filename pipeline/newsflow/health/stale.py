"""The stale-feed check: a feed that brought no new items for N hours.

A feed can answer 200 with a valid document every hour and still be dead for readers: the
publisher stopped updating it, or moved its news elsewhere. Fetch errors do not show that; only
the absence of new items does. N is per feed (``stale_after_hours`` in feeds.yaml), default
:data:`~newsflow.health.feeds.DEFAULT_STALE_AFTER_HOURS`.

A feed is stale as of hour H when, over the N hours ending with H,
- at least one hour was published (no runs at all is the scheduler's problem, not the feed's),
- the feed was already being fetched at the window's start (a feed added an hour ago is not
  stale), and
- none of those hours brought a new item from it (a failing hour brings none).

The check is a function of the published data and H only, so a DAG run for hour H (or a backfill
of it) always reaches the same verdict.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pyarrow as pa

from newsflow.health.feeds import (
    DEFAULT_STALE_AFTER_HOURS,
    FeedConfig,
    FeedHour,
    feed_hours,
    published_hours_of,
    stale_after,
)


@dataclass(frozen=True)
class StaleFeed:
    name: str
    stale_after_hours: int
    as_of: datetime
    last_new_items: datetime | None  # latest hour with new items in the data looked at
    hours_without_new_items: int | None  # hours since then (None: none in the data looked at)
    attempted_hours: int  # hours in the window the feed was fetched
    failed_hours: int  # of those, hours its fetch failed

    @property
    def failing(self) -> bool:
        return self.attempted_hours > 0 and self.failed_hours == self.attempted_hours

    def message(self) -> str:
        since = (
            f"last new items in hour {self.last_new_items:%Y-%m-%dT%H:00}Z ({self.hours_without_new_items} h ago)"
            if self.last_new_items
            else "no new items in the history looked at"
        )
        why = f"; its fetch failed in {self.failed_hours} of {self.attempted_hours} hours" if self.failed_hours else ""
        return f"{self.name}: no new items for {self.stale_after_hours} h or more ({since}{why})"

    def to_dict(self) -> dict:
        return {
            "feed": self.name,
            "stale_after_hours": self.stale_after_hours,
            "as_of": self.as_of.isoformat(),
            "last_new_items": self.last_new_items.isoformat() if self.last_new_items else None,
            "hours_without_new_items": self.hours_without_new_items,
            "attempted_hours": self.attempted_hours,
            "failed_hours": self.failed_hours,
            "message": self.message(),
        }


def stale_verdict(
    history: Mapping[datetime, FeedHour],
    published: Collection[datetime],
    as_of: datetime,
    threshold: int,
    name: str = "",
) -> StaleFeed | None:
    """The verdict for one feed given its attempted hours (see the module docstring); None: not stale."""
    start = as_of - timedelta(hours=threshold - 1)
    if not any(start <= h <= as_of for h in published):
        return None
    if not history or min(history) > start:
        return None
    window = [fh for h, fh in history.items() if start <= h <= as_of]
    if any(fh.new_items > 0 for fh in window):
        return None
    earlier = [h for h, fh in history.items() if h <= as_of and fh.new_items > 0]
    last = max(earlier) if earlier else None
    return StaleFeed(
        name=name,
        stale_after_hours=threshold,
        as_of=as_of,
        last_new_items=last,
        hours_without_new_items=int((as_of - last).total_seconds() // 3600) if last else None,
        attempted_hours=len(window),
        failed_hours=sum(1 for fh in window if not fh.ok),
    )


def stale_feeds(
    runs: pa.Table,
    fetches: pa.Table,
    feeds: Iterable[FeedConfig],
    as_of: datetime,
    default_stale_after_hours: int = DEFAULT_STALE_AFTER_HOURS,
) -> list[StaleFeed]:
    """Every enabled feed that is stale as of hour ``as_of``, in feeds.yaml order.

    ``runs``/``fetches`` are projected tables with an ``hour`` column (see
    :func:`newsflow.health.load.load_history`) covering at least each feed's window.
    """
    per_feed = feed_hours(runs, fetches)
    published = published_hours_of(runs)
    out: list[StaleFeed] = []
    for feed in feeds:
        if not feed.enabled:
            continue
        threshold = stale_after(feed, default_stale_after_hours)
        verdict = stale_verdict(per_feed.get(feed.name, {}), published, as_of, threshold, feed.name)
        if verdict is not None:
            out.append(verdict)
    return out


def check_stale(
    data_root: Path,
    feeds: Iterable[FeedConfig],
    as_of: datetime,
    default_stale_after_hours: int = DEFAULT_STALE_AFTER_HOURS,
) -> list[StaleFeed]:
    """:func:`stale_feeds` over the published data under ``data_root``: the DAG task's one call.

    Reads twice the longest threshold, so a feed's first hour is found even when the hour at
    the window's start is missing.
    """
    from newsflow.health.load import load_window

    feeds = list(feeds)
    longest = max((stale_after(f, default_stale_after_hours) for f in feeds), default=default_stale_after_hours)
    history = load_window(data_root, as_of, 2 * longest + 1)
    return stale_feeds(history.runs, history.fetches, feeds, as_of, default_stale_after_hours)
