"""The logic of the two fetch stages: due feeds to links, new links to pages.

Both plan from the fetch state of earlier hours (which feeds are due, with which conditional
headers; which pages were fetched already, under which URL, or failed for good), fetch through a
:class:`~newsflow.fetch.protocol.Fetcher` (live, or the hour's recording when replaying: then the
plan is exactly what the hour fetched), and return in-memory rows. The conveyor (``cycle.py``)
stages those rows; the fetch state itself is updated only from what an hour commits
(:mod:`newsflow.state`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from newsflow.fetch.planning import (
    PageLink,
    UrlState,
    feed_outcomes,
    plan_feeds,
    plan_pages,
    publish_rate,
)
from newsflow.fetch.protocol import FEED_ACCEPT, PAGE_ACCEPT, Fetcher, FetchRequest, FetchResult
from newsflow.fetch.records import fetch_row
from newsflow.fetch.replay import ReplayFetcher
from newsflow.fetch.settings import FetchSettings
from newsflow.runs import StageRecorder, progress_logger
from newsflow.sources.links import links_from_entries
from newsflow.sources.parse import ParsedFeed, parse_feed
from newsflow.sources.registry import FeedSpec

SITEMAP_CHILDREN_MAX = 50

Row = dict[str, Any]


@dataclass
class FeedsOutcome:
    links: list[Row] = field(default_factory=list)  # each canonical URL once
    entries: list[Row] = field(default_factory=list)  # every valid entry of every feed (sightings)
    fetches: list[Row] = field(default_factory=list)
    attempted: list[str] = field(default_factory=list)  # feeds fetched this hour (due ones)
    failed: list[str] = field(default_factory=list)  # of those, the ones that failed


@dataclass
class PagesOutcome:
    pages: list[Row] = field(default_factory=list)
    fetches: list[Row] = field(default_factory=list)


def _record_failure(
    rec: StageRecorder, res: FetchResult, feed: str, error_class: str | None, error: str | None
) -> None:
    rec.record(feed=feed, url=res.url, seconds=res.seconds, nbytes=res.nbytes, error_class=error_class, error=error)


def _row(res: FetchResult, kind: str, feed: str | None, run_id: str, **extra: Any) -> Row:
    return fetch_row(res, kind=kind, feed=feed, raw_ref=res.raw_ref, run_id=run_id, **extra)


def fetch_feeds(
    feeds: Sequence[FeedSpec],
    prior: Mapping[str, UrlState],
    hour: datetime,
    fetcher: Fetcher,
    settings: FetchSettings,
    run_id: str,
    rec: StageRecorder,
    unconditional: bool = False,
    read_raw: Callable[[str], bytes] | None = None,
) -> FeedsOutcome:
    """Fetch the feeds due at ``hour`` (conditional GET), follow sitemap indexes one level down, and
    collect each link once. A 304 is "nothing new"; a feed failing for hours on end is flagged.

    ``unconditional`` (a live rerun of an hour that already has a version) fetches every feed in full:
    what earlier hours saw must not turn the hour's own links into "not modified".

    A feed that answers "not modified" still carries its entries: with ``read_raw`` (the raw zone)
    they are read from the document last downloaded, for the hour's sightings only (their links
    are known), so sightings say what each feed carried whether or not it was downloaded again."""
    out = FeedsOutcome()
    plans = plan_feeds(feeds, {} if unconditional else prior, hour, settings)
    if isinstance(fetcher, ReplayFetcher):  # exactly what the hour fetched, not a fresh plan
        recorded = {r.url for r in fetcher.requests("feed")}
        due = [p for p in plans if p.url in recorded]
    else:
        due = [p for p in plans if p.due]
    for plan in plans:
        if plan not in due:
            rec.count("not_due")
            next_due = plan.next_due.isoformat() if plan.next_due else None
            rec.record(feed=plan.name, url=plan.url, counts={"skipped": plan.reason, "next_due": next_due})
    by_name = {f.name: f for f in feeds}
    seen_in_run: set[str] = set()
    for plan, res in zip(due, fetcher.fetch_many([p.request for p in due]), strict=True):
        spec = by_name[plan.name]
        rec.count("feeds")
        out.attempted.append(spec.name)
        if res.not_modified:
            rec.count("not_modified")
            out.fetches.append(_row(res, "feed", spec.name, run_id))
            carried = _still_carried(spec, prior.get(spec.url), read_raw, settings)
            out.entries.extend(carried)
            counts = {"not_modified": 1, "entries": len(carried)}
            rec.record(feed=spec.name, url=spec.url, seconds=res.seconds, nbytes=0, counts=counts)
            continue
        if not res.ok:
            out.fetches.append(_row(res, "feed", spec.name, run_id))
            out.failed.append(spec.name)
            _record_failure(rec, res, spec.name, res.error_class or f"http_{res.status}", res.error)
            continue
        parsed = parse_feed(res.read_body(), res.final_url or spec.url, res.content_type, settings.max_items)
        rate = publish_rate(e.published for e in parsed.entries)
        out.fetches.append(_row(res, "feed", spec.name, run_id, items=parsed.total_entries, items_per_day=rate))
        _add_sitemap_children(parsed, spec, fetcher, settings, run_id, rec, out)
        if parsed.error_class:
            out.failed.append(spec.name)
            _record_failure(rec, res, spec.name, parsed.error_class, parsed.error)
            continue
        found = links_from_entries(spec, parsed.entries, seen_in_run)
        for bad_link, why in found.invalid:
            rec.count("invalid_links")
            rec.record(feed=spec.name, url=bad_link, error_class="invalid_link", error=why)
        if found.repeats:
            rec.count("url_duplicates", found.repeats)
        rec.count("entries", len(parsed.entries))
        out.links.extend(found.links)
        out.entries.extend(found.entries)
        rec.record(
            feed=spec.name,
            url=spec.url,
            seconds=res.seconds,
            nbytes=res.nbytes,
            counts={"entries": len(parsed.entries), "links": len(found.links), "format": parsed.format or "?"},
        )
    rec.count("robots_txt", len(fetcher.take_robots_fetches()))
    for outcome in feed_outcomes(prior, out.fetches, hour, settings).values():
        if outcome.flagged:
            rec.count("flagged")
            rec.record(
                url=outcome.url,
                counts=outcome.as_counts(),
                error_class="feed_failing",
                error=f"failing for {outcome.failing_hours} hours (last: {outcome.last_error_class})",
            )
    return out


def _still_carried(
    spec: FeedSpec, state: UrlState | None, read_raw: Callable[[str], bytes] | None, settings: FetchSettings
) -> list[Row]:
    """The entries of a feed's last downloaded document (after a 304), as sightings rows; none when
    it cannot be read (a sitemap index's children are not followed here)."""
    if read_raw is None or state is None or not state.raw_ref:
        return []
    try:
        parsed = parse_feed(read_raw(state.raw_ref), state.final_url or spec.url, None, settings.max_items)
    except (OSError, ValueError):
        return []
    return links_from_entries(spec, parsed.entries, set()).entries


def _add_sitemap_children(
    parsed: ParsedFeed,
    spec: FeedSpec,
    fetcher: Fetcher,
    settings: FetchSettings,
    run_id: str,
    rec: StageRecorder,
    out: FeedsOutcome,
) -> None:
    """A sitemap index lists child sitemaps: fetch them and add their entries to ``parsed``."""
    children = [
        FetchRequest(url, kind="feed", accept=FEED_ACCEPT, feed=spec.name)
        for url in parsed.children[:SITEMAP_CHILDREN_MAX]
    ]
    for child in fetcher.fetch_many(children):
        out.fetches.append(_row(child, "feed", spec.name, run_id))
        if not child.ok:
            _record_failure(rec, child, spec.name, child.error_class or f"http_{child.status}", child.error)
            continue
        body = child.read_body()
        child_parsed = parse_feed(body, child.final_url or child.url, child.content_type, settings.max_items)
        if child_parsed.error_class:
            _record_failure(rec, child, spec.name, child_parsed.error_class, child_parsed.error)
        else:
            parsed.entries.extend(child_parsed.entries)


def fetch_pages(
    links: Sequence[Row],
    states: Mapping[str, UrlState],
    aliases: Mapping[str, str],
    hour: datetime,
    fetcher: Fetcher,
    run_id: str,
    rec: StageRecorder,
    update_interval_hours: int = 3,
) -> PagesOutcome:
    """Download the page of every link not fetched before (under either URL of a redirect) and not
    failed for good; a failure is recorded per URL and never stops the others."""
    out = PagesOutcome()
    page_links = [
        PageLink(str(r["url"]), r.get("entry_fp"), r.get("entry_updated") or r.get("entry_published")) for r in links
    ]
    decisions = plan_pages(page_links, states, aliases, hour, update_interval_hours)
    if isinstance(fetcher, ReplayFetcher):
        recorded = {r.url for r in fetcher.requests("page")}
        todo = [link for link in links if link["url"] in recorded]
    else:
        todo = [link for link, d in zip(links, decisions, strict=True) if d.fetch]
    for decision in decisions:
        if not decision.fetch:
            rec.count(f"skipped.{decision.reason}")
        elif decision.reason == "entry_updated":
            rec.count("refetched")  # fetched before; its feed entry says it changed since
    results = fetcher.fetch_many(
        [FetchRequest(str(link["url"]), kind="page", accept=PAGE_ACCEPT, feed=link["feed"]) for link in todo],
        progress=progress_logger("fetch_pages", len(todo), "pages"),
    )
    rec.count("robots_txt", len(fetcher.take_robots_fetches()))
    for link, res in zip(todo, results, strict=True):
        row = _row(res, "page", link["feed"], run_id, entry_fp=link.get("entry_fp"))
        out.fetches.append(row)
        rec.count("pages")
        rec.count("bytes", res.nbytes)
        if res.ok:
            rec.count("ok")
        else:
            _record_failure(rec, res, link["feed"], res.error_class or f"http_{res.status}", res.error)
        out.pages.append(
            {
                **link,
                "final_url": res.final_url,
                "status": res.status,
                "raw_ref": row["raw_ref"] if res.ok else None,
                "fetched_at": res.fetched_at,
                "error_class": res.error_class,
            }
        )
    return out
