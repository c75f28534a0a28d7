"""The logic of the two fetch stages: feeds to links, links to pages.

Both take a fetcher (live or replay), a ``keep`` callback that stores a response's body in the raw
zone and returns its ``fetches`` row, and a :class:`~newsflow.runs.StageRecorder`; they return
in-memory rows. The conveyor (``cycle.py``) stages those rows; nothing here touches Parquet.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from newsflow.fetch.client import Fetcher, FetchResult
from newsflow.fetch.replay import ReplayFetcher
from newsflow.runs import StageRecorder, progress_logger
from newsflow.sources.links import links_from_entries
from newsflow.sources.parse import ParsedFeed, parse_feed
from newsflow.sources.registry import FeedSpec

FEED_ACCEPT = "application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, */*;q=0.8"
PAGE_ACCEPT = "text/html,application/xhtml+xml"
SITEMAP_CHILDREN_MAX = 50

Row = dict[str, Any]
Keep = Callable[[FetchResult, str, str | None], Row]  # (result, kind, feed) -> fetches row


@dataclass
class FeedsOutcome:
    links: list[Row] = field(default_factory=list)
    fetches: list[Row] = field(default_factory=list)


@dataclass
class PagesOutcome:
    pages: list[Row] = field(default_factory=list)
    fetches: list[Row] = field(default_factory=list)


def _record_failure(
    rec: StageRecorder, res: FetchResult, feed: str, error_class: str | None, error: str | None
) -> None:
    rec.record(feed=feed, url=res.url, seconds=res.seconds, nbytes=len(res.body), error_class=error_class, error=error)


def fetch_feeds(
    feeds: Sequence[FeedSpec], fetcher: Fetcher | ReplayFetcher, keep: Keep, rec: StageRecorder
) -> FeedsOutcome:
    """Fetch every feed, follow sitemap indexes one level down, and collect each link once."""
    out = FeedsOutcome()
    seen_in_run: set[str] = set()
    results = fetcher.fetch_many([f.url for f in feeds], accept=FEED_ACCEPT)
    for spec, res in zip(feeds, results, strict=True):
        rec.count("feeds")
        out.fetches.append(keep(res, "feed", spec.name))
        if not res.ok:
            _record_failure(rec, res, spec.name, res.error_class or f"http_{res.status}", res.error)
            continue
        parsed = parse_feed(res.body, res.final_url or spec.url, res.content_type)
        _add_sitemap_children(parsed, spec, fetcher, keep, rec, out)
        if parsed.error_class:
            _record_failure(rec, res, spec.name, parsed.error_class, parsed.error)
            continue
        found = links_from_entries(spec, parsed.entries, seen_in_run)
        for link, why in found.invalid:
            rec.count("invalid_links")
            rec.record(feed=spec.name, url=link, error_class="invalid_link", error=why)
        if found.repeats:
            rec.count("url_duplicates", found.repeats)
        rec.count("entries", len(parsed.entries))
        out.links.extend(found.links)
        rec.record(
            feed=spec.name,
            url=spec.url,
            seconds=res.seconds,
            nbytes=len(res.body),
            counts={"entries": len(parsed.entries), "links": len(found.links), "format": parsed.format or "?"},
        )
    return out


def _add_sitemap_children(
    parsed: ParsedFeed,
    spec: FeedSpec,
    fetcher: Fetcher | ReplayFetcher,
    keep: Keep,
    rec: StageRecorder,
    out: FeedsOutcome,
) -> None:
    """A sitemap index lists child sitemaps: fetch them and add their entries to ``parsed``."""
    for child in fetcher.fetch_many(parsed.children[:SITEMAP_CHILDREN_MAX], accept=FEED_ACCEPT):
        out.fetches.append(keep(child, "feed", spec.name))
        if not child.ok:
            _record_failure(rec, child, spec.name, child.error_class or f"http_{child.status}", child.error)
            continue
        child_parsed = parse_feed(child.body, child.final_url or child.url, child.content_type)
        if child_parsed.error_class:
            _record_failure(rec, child, spec.name, child_parsed.error_class, child_parsed.error)
        else:
            parsed.entries.extend(child_parsed.entries)


def fetch_pages(links: Sequence[Row], fetcher: Fetcher | ReplayFetcher, keep: Keep, rec: StageRecorder) -> PagesOutcome:
    """Download every link's page; a failure is recorded per URL and never stops the others."""
    out = PagesOutcome()
    results = fetcher.fetch_many(
        [row["url"] for row in links], accept=PAGE_ACCEPT, progress=progress_logger("fetch_pages", len(links), "pages")
    )
    for link, res in zip(links, results, strict=True):
        row = keep(res, "page", link["feed"])
        out.fetches.append(row)
        rec.count("pages")
        rec.count("bytes", len(res.body))
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
