"""Small in-memory ``runs`` / ``fetches`` tables for the health tests, built as the pipeline builds them."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pyarrow as pa

from newsflow import storage
from newsflow.health.load import COLUMNS, with_hour

T0 = datetime(2026, 11, 25, 0, tzinfo=UTC)


def h(n: int) -> datetime:
    """Hour ``n`` after T0."""
    return T0 + timedelta(hours=n)


class Hour:
    """Rows of one published hour, added the way ``cycle`` records them."""

    def __init__(self, hour: datetime, run_id: str = "scheduled__x") -> None:
        self.hour = hour
        self.run_id = run_id
        self.runs: list[dict] = []
        self.fetches: list[dict] = []

    def _run(self, stage: str, **row) -> None:
        self.runs.append(
            {
                "run_id": self.run_id,
                "logical_hour": self.hour,
                "stage": stage,
                "recorded_at": self.hour + timedelta(minutes=5, seconds=len(self.runs)),
                **row,
            }
        )

    def feed_ok(self, feed: str, pages: int = 0, new: int | None = None, seconds: float = 0.1, page_errors: int = 0):
        counts = {"entries": 10, "links": pages, "format": "rss"}
        if new is not None:
            counts["new"] = new
        self._run("fetch_feeds", feed=feed, url=f"http://x/{feed}", counts=json.dumps(counts), seconds=seconds)
        self.fetches.append(self._fetch(feed, "feed", 200, seconds))
        for i in range(pages):
            failed = i < page_errors
            self.fetches.append(self._fetch(feed, "page", 404 if failed else 200, 0.05, f"/p{i}"))
            if failed:
                self._run(
                    "fetch_pages", feed=feed, url=f"http://x/{feed}/p{i}", error_class="http_404", error="Not Found"
                )
        return self

    def feed_failed(self, feed: str, error_class: str = "connect_error", error: str = "refused", seconds: float = 2.0):
        self._run(
            "fetch_feeds", feed=feed, url=f"http://x/{feed}", error_class=error_class, error=error, seconds=seconds
        )
        self.fetches.append(self._fetch(feed, "feed", None, seconds, error_class=error_class))
        return self

    def summary(self, **stage_counts: dict):
        for stage, counts in stage_counts.items():
            self._run(stage, counts=json.dumps(counts), seconds=1.0)
        return self

    def _fetch(self, feed, kind, status, seconds, path="", error_class=None) -> dict:
        return {
            "url": f"http://x/{feed}{path}",
            "feed": feed,
            "kind": kind,
            "status": status,
            "seconds": seconds,
            "error_class": error_class,
            "fetched_at": self.hour + timedelta(minutes=1),
            "run_id": self.run_id,
        }

    def tables(self) -> dict[str, pa.Table]:
        """Full-schema tables, as ``publish`` writes them."""
        if not any(r.get("feed") is None and r.get("url") is None for r in self.runs):
            self.summary(publish={"articles": 0})
        return {"runs": storage.to_table("runs", self.runs), "fetches": storage.to_table("fetches", self.fetches)}


def projected(hours: list[Hour]) -> tuple[pa.Table, pa.Table]:
    """What ``load_history`` returns for these hours, without touching disk."""
    runs, fetches = [], []
    for hour in hours:
        tables = hour.tables()
        runs.append(with_hour(tables["runs"].select(list(COLUMNS["runs"])), hour.hour))
        fetches.append(with_hour(tables["fetches"].select(list(COLUMNS["fetches"])), hour.hour))
    return pa.concat_tables(runs), pa.concat_tables(fetches)


class Feed:
    def __init__(self, name: str, enabled: bool = True, stale_after_hours: int | None = None) -> None:
        self.name = name
        self.enabled = enabled
        self.stale_after_hours = stale_after_hours
