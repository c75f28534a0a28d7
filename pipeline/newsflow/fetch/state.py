"""Fetch state per URL in SQLite, versioned by the logical hour that produced each change.

Each fetch of hour H adds a version of its URL's :class:`~newsflow.fetch.planning.UrlState`
tagged H (the fold is :func:`~newsflow.fetch.planning.next_state`). Planning hour H reads, per URL,
the newest version from an hour *before* H, so:

- a rerun of H plans exactly as the first run did, and :meth:`FetchState.record_hour` replaces
  H's versions (its contribution) instead of stacking a second one;
- the whole state is a pure function of the published ``fetches`` rows, so
  :meth:`FetchState.rebuild_from_fetches` recreates it if the file is lost.

A URL that redirected is also known by its hops and final URL (table ``aliases``), so a link
fetched once as A -> B is not fetched again when a feed lists A or B later. Old versions can be
dropped with :meth:`FetchState.compact` (the newest version before the cut is kept).

The robots.txt cache shares the file (:meth:`FetchState.robots_cache`).
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from newsflow.fetch.planning import (
    FeedLike,
    FeedOutcome,
    UrlState,
    feed_outcome,
    fold_rows,
    hour_datetime,
    hour_index,
)
from newsflow.fetch.robots import RobotsCache
from newsflow.fetch.settings import FetchSettings

_COLUMNS = [f.name for f in fields(UrlState)]
_CHUNK = 500
_SCHEMA = """
CREATE TABLE IF NOT EXISTS url_state (
    url TEXT NOT NULL,
    kind TEXT NOT NULL,
    hour INTEGER NOT NULL,
    feed TEXT,
    final_url TEXT,
    etag TEXT,
    last_modified TEXT,
    last_status INTEGER,
    last_error_class TEXT,
    consecutive_failures INTEGER NOT NULL,
    failing_since INTEGER,
    last_success INTEGER,
    last_attempt INTEGER,
    next_due INTEGER,
    items_per_day REAL,
    unchanged INTEGER NOT NULL,
    raw_ref TEXT,
    entry_fp TEXT,
    permanent INTEGER NOT NULL,
    PRIMARY KEY (url, hour)
);
CREATE INDEX IF NOT EXISTS url_state_hour ON url_state (hour);
CREATE TABLE IF NOT EXISTS aliases (
    alias TEXT NOT NULL,
    url TEXT NOT NULL,
    hour INTEGER NOT NULL,
    PRIMARY KEY (alias, hour, url)
);
CREATE INDEX IF NOT EXISTS aliases_hour ON aliases (hour);
"""


def row_hour(row: Mapping[str, Any]) -> datetime:
    """The logical hour a ``fetches`` row belongs to: ``logical_hour``, else the hive ``dt``/``hour``
    partition columns (``pyarrow.dataset`` with ``partitioning="hive"``), else its ``fetched_at``."""
    value = row.get("logical_hour")
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, str) and value:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    if row.get("dt") is not None and row.get("hour") is not None:
        day = datetime.fromisoformat(str(row["dt"])).replace(tzinfo=UTC)
        return day.replace(hour=int(row["hour"]))
    fetched = row.get("fetched_at")
    if isinstance(fetched, datetime):
        fetched = fetched if fetched.tzinfo else fetched.replace(tzinfo=UTC)
        return fetched.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    raise ValueError(f"fetches row for {row.get('url')!r} has no logical_hour, dt/hour or fetched_at")


class FetchState:
    """The per-URL fetch state at ``path`` (the lead's ``<data>/state/fetch.sqlite``)."""

    def __init__(self, path: Path, settings: FetchSettings | None = None) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.settings = settings or FetchSettings()
        self.db = sqlite3.connect(str(self.path), timeout=30)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.executescript(_SCHEMA)
        self.db.commit()

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> FetchState:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def robots_cache(self) -> RobotsCache:
        """A robots.txt cache persisted in the same file."""
        return RobotsCache(self.path)

    # ------------------------------------------------------------ reading

    def states(self, urls: Iterable[str] | None = None, *, before: datetime) -> dict[str, UrlState]:
        """Each URL's newest state from an hour before ``before`` (all URLs when ``urls`` is None)."""
        h = hour_index(before)
        cols = ", ".join(f"s.{c}" for c in _COLUMNS)
        out: dict[str, UrlState] = {}
        if urls is None:
            query = (
                f"SELECT {cols} FROM url_state s JOIN (SELECT url, MAX(hour) AS h FROM url_state WHERE hour < ? "
                "GROUP BY url) m ON s.url = m.url AND s.hour = m.h"
            )
            for row in self.db.execute(query, (h,)):
                state = _state(row)
                out[state.url] = state
            return out
        wanted = list(dict.fromkeys(urls))
        for start in range(0, len(wanted), _CHUNK):
            chunk = wanted[start : start + _CHUNK]
            marks = ",".join("?" * len(chunk))
            query = (
                f"SELECT {cols} FROM url_state s JOIN (SELECT url, MAX(hour) AS h FROM url_state WHERE hour < ? "
                f"AND url IN ({marks}) GROUP BY url) m ON s.url = m.url AND s.hour = m.h"
            )
            for row in self.db.execute(query, (h, *chunk)):
                state = _state(row)
                out[state.url] = state
        return out

    def aliases(self, urls: Iterable[str], *, before: datetime) -> dict[str, str]:
        """For URLs seen as a redirect hop or target of another fetch (before ``before``): that URL."""
        h = hour_index(before)
        wanted = list(dict.fromkeys(urls))
        out: dict[str, str] = {}
        for start in range(0, len(wanted), _CHUNK):
            chunk = wanted[start : start + _CHUNK]
            marks = ",".join("?" * len(chunk))
            query = f"SELECT alias, url FROM aliases WHERE hour < ? AND alias IN ({marks}) ORDER BY hour, url"
            for alias, url in self.db.execute(query, (h, *chunk)):
                out[alias] = url  # the newest hour wins
        return out

    def page_context(self, urls: Sequence[str], *, before: datetime) -> tuple[dict[str, UrlState], dict[str, str]]:
        """``(states, aliases)`` for :func:`~newsflow.fetch.planning.plan_pages`, in two queries."""
        aliases = self.aliases(urls, before=before)
        states = self.states([*urls, *aliases.values()], before=before)
        return states, aliases

    def feed_outcomes(self, feeds: Sequence[FeedLike], hour: datetime) -> list[tuple[FeedLike, FeedOutcome | None]]:
        """Each feed's health as of the end of ``hour`` (None: never fetched), for ``feeds list``."""
        after = hour_datetime(hour_index(hour) + 1)
        states = self.states([f.url for f in feeds], before=after)
        return [(f, feed_outcome(states[f.url], hour, self.settings) if f.url in states else None) for f in feeds]

    # ------------------------------------------------------------ writing

    def record_hour(self, hour: datetime, rows: Iterable[Mapping[str, Any]]) -> dict[str, UrlState]:
        """Replace logical hour ``hour``'s contribution with the one its ``fetches`` rows make.

        Call after the hour is published (a crash before leaves the previous contribution, and the
        rerun replaces it). Returns the new states.
        """
        rows = list(rows)
        h = hour_index(hour)
        with self.db:
            self.db.execute("DELETE FROM url_state WHERE hour = ?", (h,))
            self.db.execute("DELETE FROM aliases WHERE hour = ?", (h,))
            urls = [r["url"] for r in rows if (r.get("kind") or "page") != "robots"]
            prior = self.states(urls, before=hour)
            new = fold_rows(prior, rows, hour, self.settings)
            placeholders = ",".join("?" * len(_COLUMNS))
            self.db.executemany(
                f"INSERT INTO url_state ({', '.join(_COLUMNS)}) VALUES ({placeholders})",
                [_values(state) for state in new.values()],
            )
            alias_rows = set()
            for row in rows:
                if (row.get("kind") or "page") == "robots":
                    continue
                for other in [*(row.get("hops") or ()), row.get("final_url")]:
                    if other and other != row["url"]:
                        alias_rows.add((other, row["url"], h))
            self.db.executemany("INSERT OR REPLACE INTO aliases VALUES (?, ?, ?)", sorted(alias_rows))
        return new

    def forget_hour(self, hour: datetime) -> None:
        """Remove one hour's contribution (e.g. a published hour that was deleted)."""
        h = hour_index(hour)
        with self.db:
            self.db.execute("DELETE FROM url_state WHERE hour = ?", (h,))
            self.db.execute("DELETE FROM aliases WHERE hour = ?", (h,))

    def rebuild_from_fetches(self, rows: Iterable[Mapping[str, Any]]) -> int:
        """Recreate the state from published ``fetches`` rows (each row's hour: see :func:`row_hour`).

        Returns the number of hours replayed. The robots.txt cache is not rebuilt: it refills itself.
        """
        by_hour: dict[datetime, list[Mapping[str, Any]]] = defaultdict(list)
        for row in rows:
            by_hour[row_hour(row)].append(row)
        with self.db:
            self.db.execute("DELETE FROM url_state")
            self.db.execute("DELETE FROM aliases")
        for hour in sorted(by_hour):
            self.record_hour(hour, by_hour[hour])
        return len(by_hour)

    def compact(self, keep_after: datetime) -> int:
        """Drop versions older than ``keep_after`` except each URL's newest one before it.

        Reruns of hours after ``keep_after`` stay exact; reruns of older hours plan from the kept version.
        """
        h = hour_index(keep_after)
        with self.db:
            cur = self.db.execute(
                "DELETE FROM url_state WHERE hour < ? AND hour < (SELECT MAX(s.hour) FROM url_state s "
                "WHERE s.url = url_state.url AND s.hour < ?)",
                (h, h),
            )
        return cur.rowcount


def _values(state: UrlState) -> tuple[Any, ...]:
    data = asdict(state)
    data["permanent"] = int(state.permanent)
    return tuple(data[c] for c in _COLUMNS)


def _state(row: Sequence[Any]) -> UrlState:
    data = dict(zip(_COLUMNS, row, strict=True))
    data["permanent"] = bool(data["permanent"])
    return UrlState(**data)


STATE_FILE = Path("state") / "fetch.sqlite"


def state_path(data_root: Path) -> Path:
    """Where the fetch state lives under a data root (beside ``state/dedup.sqlite``)."""
    return Path(data_root) / STATE_FILE
