"""Fetched pages (rows of the fetch stage's ``pages`` table) through extraction, in a process pool.

The extract stage is then one loop::

    for page, extracted in extract_pages(pages, read_raw):
        if extracted.error: quarantine page with ExtractError(extracted.error)
        else: row = {..., **article_fields(extracted)}

Each page is extracted with the feed's hints (:func:`hints_from_page`) and its fetch time as the
clock. Pages are read and extracted in batches so that an hour of thousands of pages never holds
all their HTML in memory at once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

from newsflow.extract.model import Extracted, ExtractRequest, FeedHints
from newsflow.extract.pool import PoolStats, extract_many

BATCH_PAGES = 256


def hints_from_page(page: Mapping[str, Any]) -> FeedHints:
    """Feed hints from a ``pages`` row: ``entry_title``, ``entry_published`` and, when the links table
    carries them, ``entry_summary``, ``entry_content`` and ``entry_authors``."""
    published = page.get("entry_published")
    authors = page.get("entry_authors") or ()
    return FeedHints(
        title=page.get("entry_title") or None,
        summary=page.get("entry_summary") or None,
        content_html=page.get("entry_content") or None,
        published=published if isinstance(published, datetime) else None,
        authors=tuple(a for a in authors if isinstance(a, str)),
    )


def request_for_page(page: Mapping[str, Any], html: bytes) -> ExtractRequest:
    fetched_at = page.get("fetched_at")
    return ExtractRequest(
        html=html,
        url=page.get("final_url") or page.get("url"),
        hints=hints_from_page(page),
        now=fetched_at if isinstance(fetched_at, datetime) else None,
    )


def extract_pages(
    pages: Sequence[Mapping[str, Any]],
    read_raw: Callable[[str], bytes],
    workers: int | None = None,
    stats: PoolStats | None = None,
    batch_pages: int = BATCH_PAGES,
) -> Iterator[tuple[Mapping[str, Any], Extracted]]:
    """``(page, extracted)`` for every page with a ``raw_ref``, in order.

    Reading a page's raw bytes failing is that page's error too (``extracted.error``), like an
    extraction that raised: nothing here raises for one page."""
    fetched = [p for p in pages if p.get("raw_ref")]
    for start in range(0, len(fetched), max(1, batch_pages)):
        batch = fetched[start : start + batch_pages]
        requests: list[ExtractRequest | None] = []
        failures: dict[int, Extracted] = {}
        for i, page in enumerate(batch):
            try:
                requests.append(request_for_page(page, read_raw(page["raw_ref"])))
            except Exception as exc:  # noqa: BLE001 - an unreadable raw file is this page's error
                requests.append(None)
                failures[i] = Extracted(url=page.get("url"), error=f"{type(exc).__name__}: {exc}"[:500])
        results = iter(extract_many([r for r in requests if r is not None], workers=workers, stats=stats))
        for i, page in enumerate(batch):
            yield page, failures[i] if i in failures else next(results)
