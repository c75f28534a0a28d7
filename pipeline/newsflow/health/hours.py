"""Per-hour counts from the ``runs`` rows: what each published hour holds and what went wrong.

The counts come from each stage's summary row (feed and url empty), the same rows
``newsflow summary`` reads, so the health view and the CLI never disagree:
articles and facts and quarantined rows from ``publish``; duplicates = URL duplicates within the
run (``fetch_feeds``) and against history (``dedup``) plus content duplicates (``dedup``);
already seen from ``fetch_feeds``; errors = rows with an ``error_class``; failed feeds = feeds
whose ``fetch_feeds`` rows that hour are all errors.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from newsflow.health.feeds import _as_int, _counts, _jsonable, hour_range, hour_values
from newsflow.runs import merge_counts


@dataclass(frozen=True)
class HourCounts:
    hour: datetime
    published: bool  # False: no marked runs partition for this hour (no run, or a failed one)
    articles: int = 0
    duplicates: int = 0
    already_seen: int = 0
    quarantined: int = 0
    facts: int = 0
    errors: int = 0
    feeds: int = 0
    feeds_failed: int = 0
    seconds: float = 0.0
    error_classes: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return _jsonable(self.__dict__)


def _n(counts: dict[str, Any], key: str) -> int:
    return _as_int(counts.get(key)) or 0


def hourly_counts(runs: pa.Table, end: datetime, hours: int = 24) -> list[HourCounts]:
    """One :class:`HourCounts` per hour of the window ending with ``end``, newest first."""
    stages: dict[datetime, dict[str, dict[str, Any]]] = defaultdict(dict)
    seconds: defaultdict[datetime, float] = defaultdict(float)
    summary = runs.filter(pc.and_(pc.is_null(runs["feed"]), pc.is_null(runs["url"])))
    for hour, stage, counts, secs in zip(
        hour_values(summary["hour"]),
        summary["stage"].to_pylist(),
        summary["counts"].to_pylist(),
        summary["seconds"].to_pylist(),
        strict=True,
    ):
        stages[hour][stage] = merge_counts(stages[hour].get(stage, {}), _counts(counts))
        seconds[hour] += secs or 0.0
    errors: dict[datetime, Counter[str]] = defaultdict(Counter)
    failed = runs.filter(pc.is_valid(runs["error_class"]))
    for hour, error_class in zip(hour_values(failed["hour"]), failed["error_class"].to_pylist(), strict=True):
        errors[hour][error_class] += 1
    feed_ok: dict[datetime, dict[str, bool]] = defaultdict(dict)
    feed_rows = runs.filter(pc.and_(pc.equal(runs["stage"], "fetch_feeds"), pc.is_valid(runs["feed"])))
    for hour, feed, error_class in zip(
        hour_values(feed_rows["hour"]), feed_rows["feed"].to_pylist(), feed_rows["error_class"].to_pylist(), strict=True
    ):
        feed_ok[hour][feed] = feed_ok[hour].get(feed, False) or error_class is None
    out: list[HourCounts] = []
    for hour in reversed(hour_range(end, hours)):
        if hour not in stages:
            out.append(HourCounts(hour, published=False))
            continue
        by_stage = stages[hour]
        fetch, links, dedup, publish = (
            by_stage.get(s, {}) for s in ("fetch_feeds", "collect_links", "dedup", "publish")
        )
        out.append(
            HourCounts(
                hour=hour,
                published=True,
                articles=_n(publish, "articles"),
                duplicates=sum(_n(c, "url_duplicates") for c in (fetch, links, dedup))
                + _n(dedup, "content_duplicates"),
                already_seen=_n(links, "already_seen") + _n(fetch, "already_seen"),  # before links: fetch_feeds
                quarantined=_n(publish, "quarantined"),
                facts=_n(publish, "facts"),
                errors=sum(errors[hour].values()),
                feeds=len(feed_ok[hour]),
                feeds_failed=sum(1 for ok in feed_ok[hour].values() if not ok),
                seconds=round(seconds[hour], 2),
                error_classes=dict(errors[hour].most_common()),
            )
        )
    return out
