"""Pure fetch planning: what a URL's fetch history says about the next hour. No I/O here.

One fold step, :func:`next_state`, turns a URL's previous :class:`UrlState` and one ``fetches``
row of hour H into its state after H; :class:`~newsflow.fetch.state.FetchState` stores the
results per hour and :func:`~newsflow.fetch.state.FetchState.rebuild_from_fetches` replays the
same fold over the published rows. From states:

- :func:`plan_feeds`: which feeds are due at hour H, with conditional-GET headers. The poll
  interval adapts to how often a feed publishes (estimated from its entries' dates, slowed down
  while it answers "unchanged"), within ``min_poll_hours``..``max_poll_hours``; failures back off
  exponentially with a jitter derived from the URL and the hour, so a rerun plans the same.
- :func:`plan_pages`: which page links to skip: fetched before (under this URL or as a redirect
  hop or target of another), a permanent error (404, 410, refused address, invalid URL) whose feed
  entry has not changed, or backing off after transient failures.
- :func:`feed_outcome`: the health figures the feeds stage writes to ``runs`` (flagged after
  ``flag_after_hours`` hours failing in a row).

Hours are whole UTC hours; internally an int (hours since the epoch), so arithmetic stays exact.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from newsflow.fetch.protocol import FEED_ACCEPT, FetchRequest
from newsflow.fetch.settings import FetchSettings

PERMANENT_ERRORS = frozenset({"http_404", "http_410", "blocked_address", "invalid_url", "http_451"})
UNCHANGED_SLOWDOWN = 1.5  # each "unchanged" answer in a row stretches the poll interval by this


def hour_index(when: datetime) -> int:
    """Whole hours since the epoch (naive datetimes are UTC)."""
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return int(when.timestamp() // 3600)


def hour_datetime(index: int) -> datetime:
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(hours=index)


@dataclass(frozen=True)
class UrlState:
    """What we know about one URL after some hour (``hour``: the logical hour that produced it)."""

    url: str
    kind: str
    hour: int
    feed: str | None = None
    final_url: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    last_status: int | None = None
    last_error_class: str | None = None
    consecutive_failures: int = 0
    failing_since: int | None = None
    last_success: int | None = None
    last_attempt: int | None = None
    next_due: int | None = None
    items_per_day: float | None = None
    unchanged: int = 0  # "nothing new" answers in a row (304, or the same bytes again)
    raw_ref: str | None = None
    entry_fp: str | None = None
    permanent: bool = False  # pages: do not fetch again unless the feed entry changes

    @property
    def fetched_ok(self) -> bool:
        return self.last_success is not None


# ------------------------------------------------------------------ the fold


def _jitter(url: str, hour: int) -> float:
    """A fraction in [0, 0.25) fixed by the URL and hour: reruns of an hour back off identically."""
    digest = hashlib.sha256(f"{url}|{hour}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 * 0.25


def backoff_hours(failures: int, url: str, hour: int, settings: FetchSettings) -> int:
    """1, 2, 4, 8 … hours (plus up to 25 % jitter) after the 1st, 2nd, 3rd … failure in a row."""
    base = min(float(settings.max_backoff_hours), 2.0 ** max(0, failures - 1))
    return max(1, min(settings.max_backoff_hours, round(base * (1 + _jitter(url, hour)))))


def poll_interval_hours(items_per_day: float | None, unchanged: int, settings: FetchSettings) -> int:
    """About two polls per expected new item, stretched while the feed keeps answering "unchanged"."""
    if items_per_day is None or items_per_day <= 0:
        base = float(settings.min_poll_hours)
    else:
        base = max(float(settings.min_poll_hours), 24.0 / (2.0 * items_per_day))
    stretched = base * (UNCHANGED_SLOWDOWN ** min(unchanged, 20))
    return int(min(settings.max_poll_hours, max(settings.min_poll_hours, math.ceil(stretched - 1e-9))))


def publish_rate(dates: Iterable[datetime | None], max_items: int = 100) -> float | None:
    """Items per day from a feed's entry dates: (n - 1) over the span of the newest ``max_items``.

    None when fewer than two entries are dated. Only the span matters (not "now"), so the same
    document always gives the same rate, whichever hour it is parsed in.
    """
    known = sorted((d for d in dates if d is not None), reverse=True)[:max_items]
    if len(known) < 2:
        return None
    span_days = max((known[0] - known[-1]).total_seconds() / 86400, 1 / 24)
    return round((len(known) - 1) / span_days, 4)


def entry_fingerprint(link: str, title: str | None, published: datetime | None, entry_id: str | None) -> str:
    """Identifies a feed entry's version: a page that failed for good is retried only when this changes."""
    text = "\x1f".join([link or "", title or "", published.isoformat() if published else "", entry_id or ""])
    return hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()[:24]


def _is_success(row: Mapping[str, Any]) -> bool:
    status = row.get("status")
    return row.get("error_class") is None and status is not None and (200 <= status < 300 or status == 304)


def next_state(prior: UrlState | None, row: Mapping[str, Any], hour: int, settings: FetchSettings) -> UrlState:
    """The URL's state after ``row`` (one ``fetches`` row of logical hour ``hour``). Pure and deterministic."""
    url = row["url"]
    kind = row.get("kind") or (prior.kind if prior else "page")
    base = prior if prior is not None else UrlState(url=url, kind=kind, hour=hour)
    state = replace(base, kind=kind, hour=hour, feed=row.get("feed") or base.feed, last_attempt=hour)
    if row.get("entry_fp") is not None:
        state = replace(state, entry_fp=row["entry_fp"])
    status = row.get("status")
    if _is_success(row):
        not_modified = status == 304
        unchanged = not_modified or (row.get("raw_ref") is not None and row.get("raw_ref") == base.raw_ref)
        rate = base.items_per_day
        if not unchanged and row.get("items_per_day") is not None:
            rate = row["items_per_day"]
        state = replace(
            state,
            final_url=row.get("final_url") or url,
            etag=row.get("etag") if not not_modified else (row.get("etag") or base.etag),
            last_modified=row.get("last_modified")
            if not not_modified
            else (row.get("last_modified") or base.last_modified),
            last_status=status,
            last_error_class=None,
            consecutive_failures=0,
            failing_since=None,
            last_success=hour,
            items_per_day=rate,
            unchanged=base.unchanged + 1 if unchanged else 0,
            raw_ref=row.get("raw_ref") or base.raw_ref,
            permanent=False,
        )
        if kind == "feed":
            state = replace(state, next_due=hour + poll_interval_hours(rate, state.unchanged, settings))
        else:
            state = replace(state, next_due=None)
        return state
    failures = base.consecutive_failures + 1
    error_class = row.get("error_class") or (f"http_{status}" if status else "fetch_error")
    next_due = hour + backoff_hours(failures, url, hour, settings)
    retry_after = row.get("retry_after")
    if retry_after:
        next_due = max(next_due, hour + math.ceil(retry_after / 3600))
    permanent = kind == "page" and (error_class in PERMANENT_ERRORS or failures >= settings.page_max_failures)
    return replace(
        state,
        final_url=row.get("final_url") or base.final_url,
        last_status=status,
        last_error_class=error_class,
        consecutive_failures=failures,
        failing_since=base.failing_since if base.failing_since is not None else hour,
        next_due=next_due,
        permanent=permanent,
    )


# ------------------------------------------------------------------ feeds


class FeedLike(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def url(self) -> str: ...


@dataclass(frozen=True)
class FeedPlan:
    name: str
    url: str
    due: bool
    reason: str  # "new" | "due" | "not_due" | "backoff"
    request: FetchRequest
    next_due: datetime | None
    state: UrlState | None


def conditional_headers(state: UrlState | None) -> dict[str, str]:
    """If-None-Match / If-Modified-Since from the last validators the URL gave us."""
    if state is None:
        return {}
    headers = {}
    if state.etag:
        headers["If-None-Match"] = state.etag
    if state.last_modified:
        headers["If-Modified-Since"] = state.last_modified
    return headers


def plan_feeds(
    feeds: Sequence[FeedLike], states: Mapping[str, UrlState], hour: datetime, settings: FetchSettings
) -> list[FeedPlan]:
    """One plan per feed, in order: due or not at ``hour``, and the request to send if due."""
    h = hour_index(hour)
    plans = []
    for feed in feeds:
        state = states.get(feed.url)
        request = FetchRequest(
            feed.url, kind="feed", accept=FEED_ACCEPT, headers=conditional_headers(state), feed=feed.name
        )
        if state is None or state.next_due is None:
            due, reason = True, "new" if state is None else "due"
        elif state.next_due <= h:
            due, reason = True, "due"
        else:
            due, reason = False, "backoff" if state.consecutive_failures else "not_due"
        next_due = hour_datetime(state.next_due) if state is not None and state.next_due is not None else None
        plans.append(FeedPlan(feed.name, feed.url, due, reason, request, next_due, state))
    return plans


@dataclass(frozen=True)
class FeedOutcome:
    """A feed's health after an hour: what the lead writes to ``runs`` (and the health view shows)."""

    url: str
    consecutive_failures: int
    failing_hours: int  # hours since the first failure of the current streak, inclusive; 0 if healthy
    flagged: bool
    next_due: datetime | None
    last_success: datetime | None
    last_error_class: str | None
    items_per_day: float | None

    def as_counts(self) -> dict[str, Any]:
        return {
            "consecutive_failures": self.consecutive_failures,
            "failing_hours": self.failing_hours,
            "flagged": self.flagged,
            "next_due": self.next_due.isoformat() if self.next_due else None,
            "items_per_day": self.items_per_day,
        }


def feed_outcome(state: UrlState, hour: datetime, settings: FetchSettings) -> FeedOutcome:
    h = hour_index(hour)
    failing = h - state.failing_since + 1 if state.failing_since is not None else 0
    return FeedOutcome(
        url=state.url,
        consecutive_failures=state.consecutive_failures,
        failing_hours=failing,
        flagged=failing >= settings.flag_after_hours,
        next_due=hour_datetime(state.next_due) if state.next_due is not None else None,
        last_success=hour_datetime(state.last_success) if state.last_success is not None else None,
        last_error_class=state.last_error_class,
        items_per_day=state.items_per_day,
    )


def fold_rows(
    prior: Mapping[str, UrlState], rows: Iterable[Mapping[str, Any]], hour: datetime, settings: FetchSettings
) -> dict[str, UrlState]:
    """Every URL's state after the hour's ``rows`` (robots.txt rows are not URL state)."""
    h = hour_index(hour)
    out: dict[str, UrlState] = {}
    ordered = sorted(
        (r for r in rows if (r.get("kind") or "page") != "robots"),
        key=lambda r: (r.get("fetched_at") or datetime.min.replace(tzinfo=UTC), r["url"]),
    )
    for row in ordered:
        url = row["url"]
        out[url] = next_state(out.get(url) or prior.get(url), row, h, settings)
    return out


def feed_outcomes(
    prior: Mapping[str, UrlState], rows: Iterable[Mapping[str, Any]], hour: datetime, settings: FetchSettings
) -> dict[str, FeedOutcome]:
    """Per feed URL fetched this hour, its health after the hour (computed before publish, from the rows)."""
    states = fold_rows(prior, [r for r in rows if r.get("kind") == "feed"], hour, settings)
    return {url: feed_outcome(state, hour, settings) for url, state in states.items()}


# ------------------------------------------------------------------ pages


@dataclass(frozen=True)
class PageLink:
    url: str
    entry_fp: str | None = None
    changed: datetime | None = None  # when the feed says the entry last changed (updated, else published)


@dataclass(frozen=True)
class PageDecision:
    url: str
    fetch: bool
    reason: str  # "new" | "retry" | "entry_updated" | "already_fetched" | "permanent_error" | "backoff"
    known_as: str | None = None  # the URL this link's content was fetched under (after redirects)
    last_error_class: str | None = None


def plan_pages(
    links: Sequence[PageLink],
    states: Mapping[str, UrlState],
    aliases: Mapping[str, str],
    hour: datetime,
    update_interval_hours: int = 3,
) -> list[PageDecision]:
    """One decision per link, in order. ``states`` by URL (latest before ``hour``); ``aliases`` maps a
    URL seen as a redirect hop or target to the URL that was fetched (see ``FetchState.aliases``).

    A page fetched before is fetched again (``entry_updated``) when its entry's ``changed`` is later
    than the end of the hour it was last fetched in, and at least ``update_interval_hours`` have
    passed since: that is how a publisher's update reaches dedup, which makes it a new version."""
    h = hour_index(hour)
    decisions = []
    for link in links:
        state = states.get(link.url)
        if state is None and link.url in aliases:
            state = states.get(aliases[link.url])
        if state is None:
            decisions.append(PageDecision(link.url, True, "new"))
        elif state.fetched_ok and _updated_since(link, state, h, update_interval_hours):
            decisions.append(PageDecision(link.url, True, "entry_updated", state.final_url or state.url))
        elif state.fetched_ok:
            decisions.append(PageDecision(link.url, False, "already_fetched", state.final_url or state.url))
        elif state.permanent:
            changed = link.entry_fp is not None and state.entry_fp is not None and link.entry_fp != state.entry_fp
            reason = "entry_changed" if changed else "permanent_error"
            decisions.append(PageDecision(link.url, changed, reason, None, state.last_error_class))
        elif state.next_due is not None and state.next_due > h:
            decisions.append(PageDecision(link.url, False, "backoff", None, state.last_error_class))
        else:
            decisions.append(PageDecision(link.url, True, "retry", None, state.last_error_class))
    return decisions


def _updated_since(link: PageLink, state: UrlState, hour: int, interval: int) -> bool:
    """Whether the feed says the entry changed after the page's last download, long enough ago."""
    if link.changed is None or state.last_success is None or hour - state.last_success < max(1, interval):
        return False
    changed = link.changed if link.changed.tzinfo else link.changed.replace(tzinfo=UTC)
    return changed >= hour_datetime(state.last_success + 1)
