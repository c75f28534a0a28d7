"""Per-feed health from the ``runs`` and ``fetches`` rows of a window of hours.

Definitions (the health view and the stale check share them):

- an hour is *attempted* for a feed when ``fetch_feeds`` wrote a row for it; it *succeeded* when
  one of those rows has no ``error_class`` (the feed's summary row), and *failed* when it has
  only error rows. Item-level errors of a fetched feed (an invalid link, one failed sitemap
  child) do not fail the hour: they show as the feed's last error instead.
- *new items* of a feed in an hour: the ``new`` count of its ``fetch_feeds`` row when the run
  recorded one (links the feed offered that no earlier hour had published), else the pages
  fetched for it that hour (``fetches`` rows of kind ``page``: only links not seen in an earlier
  hour are fetched). The second is a lower bound: a link two feeds offer in the same hour is
  credited to the first.
- *error rate*: failed hours / attempted hours in the window; *page error rate*: failed page
  fetches / page fetches (status >= 400 or a transport error) in the window.
- *latency*: median and 95th percentile of the feed document's fetch seconds in the window.

All functions take pyarrow tables with the columns :mod:`newsflow.health.load` projects (plus
``hour``) and return plain dataclasses; nothing here reads files.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol, cast

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

DEFAULT_STALE_AFTER_HOURS = 6


class FeedConfig(Protocol):
    """What health needs of a configured feed (``newsflow.sources.registry.FeedSpec`` fits).

    ``stale_after_hours`` is read with ``getattr`` so registries without the key still work.
    """

    @property
    def name(self) -> str: ...

    @property
    def enabled(self) -> bool: ...


def stale_after(feed: FeedConfig, default: int = DEFAULT_STALE_AFTER_HOURS) -> int:
    """The feed's ``stale_after_hours`` from feeds.yaml, or ``default``; at least one hour."""
    value = getattr(feed, "stale_after_hours", None)
    try:
        hours = int(value) if value is not None else default
    except (TypeError, ValueError):
        hours = default
    return max(1, hours)


@dataclass(frozen=True)
class FeedHour:
    """One feed in one published hour."""

    hour: datetime
    ok: bool  # the feed document was fetched and parsed
    new_items: int  # see the module docstring
    error_class: str | None = None  # the hour's feed-level error when it failed


@dataclass(frozen=True)
class LastError:
    hour: datetime
    stage: str
    error_class: str
    message: str
    url: str | None = None


@dataclass(frozen=True)
class FeedHealth:
    """Everything the health view shows for one feed."""

    name: str
    configured: bool  # listed in feeds.yaml (False: only seen in the data)
    enabled: bool
    status: str  # ok | degraded | stale | failing | disabled | no_data
    last_attempt: datetime | None
    last_success: datetime | None  # logical hour of the latest successful fetch
    last_success_at: datetime | None  # wall-clock time that success was recorded
    items: tuple[int | None, ...]  # new items per hour of ``window``; None = not attempted / no run
    hour_ok: tuple[bool | None, ...]  # per hour of ``window``: fetch succeeded, failed, or None
    window: tuple[datetime, ...]  # the sparkline's hours, ascending
    items_total: int
    attempted_hours: int
    failed_hours: int
    error_rate: float | None  # failed_hours / attempted_hours in the window
    page_fetches: int
    page_errors: int
    page_error_rate: float | None
    latency_p50: float | None  # seconds, feed document fetches in the window
    latency_p95: float | None
    consecutive_failing_hours: int
    last_error: LastError | None
    last_new_items: datetime | None  # latest hour with new items in the loaded history
    next_poll: datetime | None
    stale_after_hours: int
    stale: bool = False
    notes: tuple[str, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (datetimes as ISO 8601)."""
        return _jsonable(self.__dict__)


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if hasattr(value, "__dataclass_fields__"):
        return _jsonable(value.__dict__)
    return value


def _counts(raw: str | None) -> dict[str, Any]:
    """A ``counts`` cell as a dict; a malformed cell is an empty dict, never an exception."""
    if not raw:
        return {}
    try:
        value = json.loads(raw)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def datetimes(column: pa.ChunkedArray | pa.Array) -> list[datetime | None]:
    """A timestamp column as datetimes, fast: converted once per distinct value (hours repeat a lot)."""
    micros = pc.cast(pc.cast(column, pa.timestamp("us", tz="UTC")), pa.int64()).to_pylist()
    seen: dict[int, datetime] = {}
    out: list[datetime | None] = []
    for value in micros:
        if value is None:
            out.append(None)
            continue
        when = seen.get(value)
        if when is None:
            when = seen[value] = _EPOCH + timedelta(microseconds=value)
        out.append(when)
    return out


def hour_values(column: pa.ChunkedArray | pa.Array) -> list[datetime]:
    """The ``hour`` column (never null: it is the partition's hour) as datetimes."""
    return cast(list[datetime], datetimes(column))


def published_hours_of(runs: pa.Table) -> set[datetime]:
    """The hours present in a projected ``runs`` table (every published hour has summary rows)."""
    return set(hour_values(pc.unique(runs["hour"])))


def feed_hours(runs: pa.Table, fetches: pa.Table) -> dict[str, dict[datetime, FeedHour]]:
    """Per feed, per attempted hour: did the feed fetch succeed, and how many new items came in."""
    feed_rows = runs.filter(pc.and_(pc.equal(runs["stage"], "fetch_feeds"), pc.is_valid(runs["feed"])))
    pages = fetches.filter(pc.and_(pc.equal(fetches["kind"], "page"), pc.is_valid(fetches["feed"])))
    fetched: dict[tuple[str, datetime], int] = {}
    if pages.num_rows:
        grouped = pages.group_by(["feed", "hour"]).aggregate([("kind", "count")])
        for feed, hour, n in zip(
            grouped["feed"].to_pylist(), hour_values(grouped["hour"]), grouped["kind_count"].to_pylist(), strict=True
        ):
            fetched[(feed, hour)] = n
    ok: dict[tuple[str, datetime], bool] = {}
    recorded_new: dict[tuple[str, datetime], int] = {}
    first_error: dict[tuple[str, datetime], str] = {}
    columns = (
        feed_rows["feed"].to_pylist(),
        hour_values(feed_rows["hour"]),
        feed_rows["error_class"].to_pylist(),
        feed_rows["counts"].to_pylist(),
    )
    for feed, hour, error_class, counts in zip(*columns, strict=True):
        key = (feed, hour)
        if error_class is None:
            ok[key] = True
            if counts and '"new"' in counts:  # skip parsing JSON that cannot hold the key
                new = _as_int(_counts(counts).get("new"))
                if new is not None:
                    recorded_new[key] = recorded_new.get(key, 0) + new
        else:
            ok.setdefault(key, False)
            first_error.setdefault(key, error_class)
    out: dict[str, dict[datetime, FeedHour]] = defaultdict(dict)
    for (feed, hour), succeeded in ok.items():
        items = recorded_new.get((feed, hour), fetched.get((feed, hour), 0)) if succeeded else 0
        out[feed][hour] = FeedHour(hour, succeeded, items, None if succeeded else first_error.get((feed, hour)))
    return dict(out)


def last_errors(runs: pa.Table) -> dict[str, LastError]:
    """Each feed's most recent error row, from any stage (feed fetch, page fetch, extraction)."""
    errors = runs.filter(pc.and_(pc.is_valid(runs["feed"]), pc.is_valid(runs["error_class"])))
    latest: dict[str, tuple[tuple, LastError]] = {}
    rows = errors.select(["feed", "stage", "error_class", "error", "url"]).to_pylist()
    for row, hour, at in zip(rows, hour_values(errors["hour"]), datetimes(errors["recorded_at"]), strict=True):
        row["hour"] = hour
        key = (hour, at or hour)
        if row["feed"] not in latest or key >= latest[row["feed"]][0]:
            message = row["error"] or ""
            latest[row["feed"]] = (
                key,
                LastError(row["hour"], row["stage"], row["error_class"], message, row["url"]),
            )
    return {feed: err for feed, (_, err) in latest.items()}


def _quantiles(values: Sequence[float]) -> tuple[float | None, float | None]:
    if not values:
        return None, None
    p50, p95 = np.percentile(np.asarray(values, dtype=float), [50, 95])
    return round(float(p50), 4), round(float(p95), 4)


def fetch_stats(fetches: pa.Table, start: datetime, end: datetime) -> dict[str, dict[str, Any]]:
    """Per feed in ``start <= hour <= end``: feed-document latencies and page fetch outcomes."""
    window = fetches.filter(
        pc.and_(
            pc.and_(
                pc.greater_equal(fetches["hour"], pa.scalar(start, fetches.schema.field("hour").type)),
                pc.less_equal(fetches["hour"], pa.scalar(end, fetches.schema.field("hour").type)),
            ),
            pc.is_valid(fetches["feed"]),
        )
    )
    stats: dict[str, dict[str, Any]] = defaultdict(
        lambda: {"feed_seconds": [], "page_seconds": [], "pages": 0, "page_errors": 0}
    )
    for row in window.select(["feed", "kind", "status", "seconds", "error_class"]).to_pylist():
        entry = stats[row["feed"]]
        if row["kind"] == "feed":
            if row["seconds"] is not None:
                entry["feed_seconds"].append(row["seconds"])
        elif row["kind"] == "page":
            entry["pages"] += 1
            status = row["status"]
            if row["error_class"] is not None or status is None or status >= 400:
                entry["page_errors"] += 1
            if row["seconds"] is not None:
                entry["page_seconds"].append(row["seconds"])
    return dict(stats)


def _last_success_times(runs: pa.Table, wanted: set[tuple[str, datetime]]) -> dict[tuple[str, datetime], datetime]:
    """When each wanted (feed, hour) success was recorded (wall clock)."""
    ok = runs.filter(
        pc.and_(
            pc.and_(pc.equal(runs["stage"], "fetch_feeds"), pc.is_valid(runs["feed"])),
            pc.is_null(runs["error_class"]),
        )
    )
    feeds = ok["feed"].to_pylist()
    hours = hour_values(ok["hour"])
    picks = [i for i, key in enumerate(zip(feeds, hours, strict=True)) if key in wanted]
    if not picks:
        return {}
    at = datetimes(ok["recorded_at"].take(pa.array(picks)))
    return {(feeds[i], hours[i]): when for i, when in zip(picks, at, strict=True) if when is not None}


def hour_range(end: datetime, hours: int) -> tuple[datetime, ...]:
    """``hours`` consecutive hours ending with ``end``, ascending."""
    return tuple(end - timedelta(hours=i) for i in range(hours - 1, -1, -1))


def _status(
    enabled: bool, history: Mapping[datetime, FeedHour], window_failed: int, page_error_rate: float | None, stale: bool
) -> str:
    if not enabled:
        return "disabled"
    if not history:
        return "no_data"
    latest = history[max(history)]
    if not latest.ok:
        return "failing"
    if stale:
        return "stale"
    if window_failed or (page_error_rate is not None and page_error_rate > 0.2):
        return "degraded"
    return "ok"


def feed_health(
    runs: pa.Table,
    fetches: pa.Table,
    feeds: Iterable[FeedConfig],
    end: datetime,
    hours: int = 24,
    next_poll: datetime | None = None,
    default_stale_after_hours: int = DEFAULT_STALE_AFTER_HOURS,
) -> list[FeedHealth]:
    """Health of every configured feed and of every feed seen in the data, failing ones first.

    ``runs``/``fetches`` may cover more than the window (a longer lookback finds the last success
    and last error of a feed that has been failing for days); rates, latencies and the sparkline
    use only the ``hours`` hours ending with ``end``. ``next_poll`` is the next scheduled run
    (from the scheduler when known); without it the next full hour after ``end`` is assumed.
    """
    from newsflow.health.stale import stale_verdict

    window = hour_range(end, hours)
    start = window[0]
    published = published_hours_of(runs)
    per_feed = feed_hours(runs, fetches)
    errors = last_errors(runs)
    stats = fetch_stats(fetches, start, end)
    latest_ok = {
        (n, max(h for h, fh in hs.items() if fh.ok)) for n, hs in per_feed.items() if any(f.ok for f in hs.values())
    }
    success_at = _last_success_times(runs, latest_ok)
    configured = {f.name: f for f in feeds}
    names = list(configured) + sorted(set(per_feed) - set(configured))
    poll = next_poll or (end + timedelta(hours=1))
    out: list[FeedHealth] = []
    for name in names:
        spec = configured.get(name)
        enabled = spec.enabled if spec is not None else True
        history = per_feed.get(name, {})
        in_window = {h: fh for h, fh in history.items() if start <= h <= end}
        attempted = len(in_window)
        failed = sum(1 for fh in in_window.values() if not fh.ok)
        items = tuple(in_window[h].new_items if h in in_window else None for h in window)
        successes = [h for h, fh in history.items() if fh.ok]
        last_success = max(successes) if successes else None
        with_items = [h for h, fh in history.items() if fh.new_items > 0]
        streak = 0
        for hour in sorted(history, reverse=True):
            if history[hour].ok:
                break
            streak += 1
        st = stats.get(name, {})
        p50, p95 = _quantiles(st.get("feed_seconds", []))
        pages, page_errors = st.get("pages", 0), st.get("page_errors", 0)
        page_rate = round(page_errors / pages, 4) if pages else None
        threshold = stale_after(spec, default_stale_after_hours) if spec is not None else default_stale_after_hours
        verdict = stale_verdict(history, published, end, threshold) if enabled else None
        notes = [] if spec is not None else ["not in feeds.yaml (removed or renamed)"]
        out.append(
            FeedHealth(
                name=name,
                configured=spec is not None,
                enabled=enabled,
                status=_status(enabled, history, failed, page_rate, verdict is not None),
                last_attempt=max(history) if history else None,
                last_success=last_success,
                last_success_at=success_at.get((name, last_success)) if last_success else None,
                items=items,
                hour_ok=tuple(in_window[h].ok if h in in_window else None for h in window),
                window=window,
                items_total=sum(i for i in items if i),
                attempted_hours=attempted,
                failed_hours=failed,
                error_rate=round(failed / attempted, 4) if attempted else None,
                page_fetches=pages,
                page_errors=page_errors,
                page_error_rate=page_rate,
                latency_p50=p50,
                latency_p95=p95,
                consecutive_failing_hours=streak,
                last_error=errors.get(name),
                last_new_items=max(with_items) if with_items else None,
                next_poll=poll if enabled else None,
                stale_after_hours=threshold,
                stale=verdict is not None,
                notes=tuple(notes),
            )
        )
    order = {"failing": 0, "stale": 1, "degraded": 2, "no_data": 3, "ok": 4, "disabled": 5}
    out.sort(key=lambda f: order[f.status])  # stable: feeds.yaml order within a status
    return out
