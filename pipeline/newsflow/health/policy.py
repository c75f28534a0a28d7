"""The feed-failure policy: when a dead source turns an hour red or amber instead of silently green.

Evaluated on the hour's published ``runs`` rows (the fetch_feeds stage's per-feed rows), so the
verdict is the same for a run, its rerun and a backfill of the hour:

- **red** (the DAG run fails, the failure alert fires): more than ``max_failed_share`` of the feeds
  fetched this hour failed, or every feed of one site did;
- **amber** (the run stays green; the verdict is logged and the health view shows the feeds): some
  feed failed, or a feed has been failing for hours (``feed_failing``);
- **green**: every feed fetched answered (a 304 counts as an answer).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

FEED_STAGE = "fetch_feeds"


@dataclass(frozen=True)
class Verdict:
    level: str  # "green" | "amber" | "red"
    reasons: list[str] = field(default_factory=list)
    failed_feeds: list[str] = field(default_factory=list)


def feed_verdict(
    runs: Iterable[Mapping[str, Any]], site_of: Mapping[str, str], max_failed_share: float = 0.5
) -> Verdict:
    """The hour's verdict from its ``runs`` rows; ``site_of`` maps feed names to sites (feeds.yaml)."""
    attempted: set[str] = set()
    failed: dict[str, str] = {}
    flagged: list[str] = []
    for row in runs:
        if row.get("stage") != FEED_STAGE:
            continue
        if row.get("error_class") == "feed_failing":
            flagged.append(str(row.get("url")))
            continue
        feed = row.get("feed")
        if not feed or feed not in site_of:
            continue
        if row.get("error_class") in (None, "invalid_link"):
            if row.get("url") and '"skipped"' not in str(row.get("counts") or ""):
                attempted.add(feed)
            continue
        if row.get("url") and row.get("error_class"):
            attempted.add(feed)
            failed.setdefault(feed, str(row["error_class"]))
    failed = {feed: error for feed, error in failed.items() if feed in attempted}
    reasons: list[str] = []
    if attempted and len(failed) > max_failed_share * len(attempted):
        reasons.append(f"{len(failed)} of {len(attempted)} feeds failed (more than {max_failed_share:.0%})")
    by_site: dict[str, list[str]] = defaultdict(list)
    for feed in attempted:
        by_site[site_of[feed]].append(feed)
    for site, feeds in sorted(by_site.items()):
        if all(feed in failed for feed in feeds):
            reasons.append(f"every feed of {site} failed: {', '.join(sorted(feeds))}")
    details = [f"{feed}: {error}" for feed, error in sorted(failed.items())]
    if reasons:
        return Verdict("red", reasons + details, sorted(failed))
    if failed or flagged:
        return Verdict("amber", details + [f"failing for hours: {url}" for url in flagged], sorted(failed))
    return Verdict("green")


def evaluate_hour(data_root: Path, feeds_file: Path, hour: datetime) -> tuple[Verdict, list[Any]]:
    """The published hour's feed verdict and its stale feeds (what the DAG's check task acts on)."""
    from newsflow.health import check_stale
    from newsflow.sources.registry import load_registry
    from newsflow.storage import read_partition

    registry = load_registry(feeds_file)
    runs = read_partition(data_root, "runs", hour)
    verdict = feed_verdict(runs.to_pylist() if runs is not None else [], {f.name: f.site for f in registry.enabled})
    return verdict, list(check_stale(data_root, registry.enabled, as_of=hour))
