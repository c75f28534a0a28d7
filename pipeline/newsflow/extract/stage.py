"""The logic of the extract stage: fetched pages in, article rows (``storage.ARTICLES``) out."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from newsflow.dedup.canonical import canonical_url
from newsflow.dedup.hashing import content_hash, stable_id
from newsflow.extract import ExtractError
from newsflow.extract.columns import article_fields
from newsflow.extract.pages import extract_pages
from newsflow.extract.pool import PoolStats
from newsflow.runs import StageRecorder, progress_logger
from newsflow.validate.quarantine import stage_failure
from newsflow.validate.unicode import sanitize_row

Row = dict[str, Any]


@dataclass
class ExtractedPages:
    articles: list[Row] = field(default_factory=list)  # ``storage.ARTICLES`` rows
    quarantine: list[Row] = field(default_factory=list)  # pages that could not be extracted


def articles_from_pages(
    pages: Sequence[Row], read_raw: Callable[[str], bytes], run_id: str, rec: StageRecorder
) -> ExtractedPages:
    """One article row per fetched page, extracted in a process pool with the feed entry's hints; a
    page that cannot be extracted is quarantined with the error."""
    out = ExtractedPages()
    stats = PoolStats()
    tick = progress_logger("extract", sum(1 for p in pages if p["raw_ref"]), "pages")
    results = list(extract_pages(pages, read_raw, stats=stats))
    crashed = [i for i, (_, ex) in enumerate(results) if ex.error and ex.error.startswith("WorkerCrashed")]
    if crashed:
        # A worker process that dies (out of memory, a broken environment) must not take the pages
        # it held with it: those are extracted again in this process, where a real failure is theirs.
        rec.count("pool_crashes", len(crashed))
        again = extract_pages([results[i][0] for i in crashed], read_raw, workers=1)
        for i, retried in zip(crashed, again, strict=True):
            results[i] = retried
    for page, ex in results:
        tick()
        if ex.error:
            rec.record(feed=page["feed"], url=page["url"], error_class="extract_failed", error=ex.error)
            out.quarantine.append(stage_failure("pages", page["url"], page, "extract", ExtractError(ex.error), run_id))
            continue
        canon = canonical_url(page["final_url"] or page["url"])
        rec.count("articles")
        if not ex.body:
            rec.count("empty_body")
        out.articles.append(
            sanitize_row(
                {
                    "article_id": stable_id(canon),
                    "url": page["url"],
                    "canonical_url": canon,
                    "feed": page["feed"],
                    "site": page["site"],
                    **article_fields(ex),
                    "content_hash": content_hash(ex.body) if ex.body else None,
                    "story_id": None,
                    "duplicate_of": None,
                    "similarity": None,
                    "version": 1,
                    "fetched_at": page["fetched_at"],
                    "raw_ref": page["raw_ref"],
                    "run_id": run_id,
                }
            )
        )
    if stats.worker_peak_rss_bytes:
        rec.count("worker_peak_rss_mib", stats.worker_peak_rss_bytes // 2**20)
    return out
