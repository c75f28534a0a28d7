"""The conveyor's use of the fetch package, in miniature: plan from state, fetch, record after "publish".

``record_hour`` replaces the hour's whole contribution, so it is called once per hour with every
``fetches`` row of the hour (feeds and pages), as the lead's publish step will.

Tests drive whole hours through this so they exercise exactly the calls the lead wires into the
feeds and pages stages (see the report), against a real newsroom over loopback.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from newsflow.fetch import FetchResult, FetchSettings
from newsflow.fetch.planning import FeedPlan, PageDecision, PageLink, plan_feeds, plan_pages, publish_rate
from newsflow.fetch.protocol import PAGE_ACCEPT, Fetcher, FetchRequest
from newsflow.fetch.records import fetch_row
from newsflow.fetch.state import FetchState
from newsflow.sources.parse import parse_feed
from newsflow.sources.registry import FeedSpec


def feeds_hour(
    state: FetchState, fetcher: Fetcher, feeds: Sequence[FeedSpec], hour: datetime, settings: FetchSettings
) -> tuple[list[FeedPlan], list[FetchResult], list[dict[str, Any]]]:
    prior = state.states([f.url for f in feeds], before=hour)
    plans = plan_feeds(feeds, prior, hour, settings)
    due = [p for p in plans if p.due]
    results = fetcher.fetch_many([p.request for p in due])
    rows = []
    for plan, res in zip(due, results, strict=True):
        items = rate = None
        if res.ok:
            parsed = parse_feed(res.read_body(), res.final_url or res.url, res.content_type, settings.max_items)
            items, rate = parsed.total_entries, publish_rate(e.published for e in parsed.entries)
        row = fetch_row(
            res,
            kind="feed",
            feed=plan.name,
            raw_ref=res.raw_ref,
            run_id=f"test-{hour:%H}",
            items=items,
            items_per_day=rate,
        )
        rows.append({**row, "logical_hour": hour})
    return plans, results, rows


def pages_hour(
    state: FetchState, fetcher: Fetcher, links: Sequence[PageLink], hour: datetime
) -> tuple[list[PageDecision], list[FetchResult], list[dict[str, Any]]]:
    states, aliases = state.page_context([link.url for link in links], before=hour)
    decisions = plan_pages(links, states, aliases, hour)
    todo = [(link, d) for link, d in zip(links, decisions, strict=True) if d.fetch]
    results = fetcher.fetch_many([FetchRequest(link.url, kind="page", accept=PAGE_ACCEPT) for link, _ in todo])
    rows = [
        {
            **fetch_row(
                res, kind="page", feed="f", raw_ref=res.raw_ref, run_id=f"test-{hour:%H}", entry_fp=link.entry_fp
            ),
            "logical_hour": hour,
        }
        for (link, _), res in zip(todo, results, strict=True)
    ]
    return decisions, results, rows


def run_hour(
    state: FetchState,
    fetcher: Fetcher,
    hour: datetime,
    settings: FetchSettings,
    feeds: Sequence[FeedSpec] = (),
    links: Sequence[PageLink] = (),
) -> tuple[list[FeedPlan], list[PageDecision], list[FetchResult], list[dict[str, Any]]]:
    """Feeds, then pages, then the state update for the whole hour, as after the hour's publish."""
    plans, feed_results, rows = feeds_hour(state, fetcher, feeds, hour, settings) if feeds else ([], [], [])
    decisions, page_results, page_rows = pages_hour(state, fetcher, links, hour) if links else ([], [], [])
    state.record_hour(hour, rows + page_rows)
    return plans, decisions, feed_results + page_results, rows + page_rows
