"""The logic of the extract stage: fetched pages in, article rows (``storage.ARTICLES``) out."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from newsflow.dedup.canonical import canonical_url
from newsflow.dedup.hashing import content_hash, stable_id
from newsflow.extract import extract_html
from newsflow.runs import StageRecorder, progress_logger
from newsflow.validate.quarantine import stage_failure

Row = dict[str, Any]


@dataclass
class Extracted:
    articles: list[Row] = field(default_factory=list)  # ``storage.ARTICLES`` rows
    quarantine: list[Row] = field(default_factory=list)  # pages that could not be extracted


def articles_from_pages(
    pages: Sequence[Row], read_raw: Callable[[str], bytes], run_id: str, rec: StageRecorder
) -> Extracted:
    """One article row per fetched page; a page that cannot be extracted is quarantined with the error."""
    out = Extracted()
    tick = progress_logger("extract", len(pages), "pages")
    for page in pages:
        tick()
        if not page["raw_ref"]:
            continue
        try:
            out.articles.append(_article(page, read_raw(page["raw_ref"]), run_id, rec))
        except Exception as exc:  # noqa: BLE001 - one bad page never stops the run
            rec.record(
                feed=page["feed"], url=page["url"], error_class="extract_failed", error=f"{type(exc).__name__}: {exc}"
            )
            out.quarantine.append(stage_failure("pages", page["url"], page, "extract", exc, run_id))
    return out


def _article(page: Row, html: bytes, run_id: str, rec: StageRecorder) -> Row:
    ex = extract_html(html, page["final_url"] or page["url"])
    published, published_source = ex.published, ex.published_source
    if published is None and page["entry_published"] is not None:
        published, published_source = page["entry_published"], "feed"
    canon = canonical_url(page["final_url"] or page["url"])
    rec.count("articles")
    if not ex.body:
        rec.count("empty_body")
    return {
        "article_id": stable_id(canon),
        "url": page["url"],
        "canonical_url": canon,
        "feed": page["feed"],
        "site": page["site"],
        "title": ex.title or page["entry_title"],
        "authors": ex.authors,
        "published": published,
        "published_source": published_source,
        "updated": ex.updated,
        "language": ex.language,
        "body": ex.body or None,
        "body_source": ex.body_source,
        "is_truncated": ex.is_truncated,
        "word_count": ex.word_count,
        "content_hash": content_hash(ex.body) if ex.body else None,
        "story_id": None,
        "duplicate_of": None,
        "similarity": None,
        "version": 1,
        "fetched_at": page["fetched_at"],
        "raw_ref": page["raw_ref"],
        "run_id": run_id,
    }
