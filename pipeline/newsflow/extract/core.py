"""One article page in, body and metadata out: one parse, shared by every reader of the page."""

from __future__ import annotations

from datetime import UTC, datetime

from newsflow.extract.blocks import render
from newsflow.extract.body import extract_body
from newsflow.extract.dates import as_utc
from newsflow.extract.language import detect_language, normalise_code
from newsflow.extract.metadata import read_metadata
from newsflow.extract.model import Extracted, FeedHints
from newsflow.extract.page import POPUP_NEEDLES, mentions, parse_page, prune_hidden
from newsflow.extract.structured import read_declarations

PAYWALL_NEEDLES = ("aywall", "subscriber-only", "premium-content")  # "aywall": Paywall and paywall

EMPTY_PAGE = b"<html><head></head><body></body></html>"

# Below this many letters the body is too short to identify; the page's declared language is used.
MIN_DETECT_CHARS = 200


def extract_html(
    page: bytes | str,
    url: str | None = None,
    *,
    hints: FeedHints | None = None,
    now: datetime | None = None,
) -> Extracted:
    """Extract one article page. An empty ``body`` means no article text was found (``body_source`` says why).

    ``hints`` is what the feed said about the page (title, summary, content, date); ``now`` is the
    clock dates are checked against — the fetch time in the pipeline, the current time by default.
    """
    result = Extracted(url=url)
    clock = as_utc(now) if now is not None else datetime.now(UTC)
    tree = parse_page(page)
    if tree is None:
        # Nothing to read on the page (empty, binary, not HTML): the feed's hints may still carry the
        # title, date and even the content, so an empty document goes through the same path.
        result.warnings.append("not_html")
        tree = parse_page(EMPTY_PAGE)
        assert tree is not None
        page = EMPTY_PAGE

    decl = read_declarations(tree)
    meta = read_metadata(tree, decl, url, hints, clock)
    prune_hidden(tree, aria_hidden=mentions(page, "aria-hidden"), popups=mentions(page, *POPUP_NEEDLES))
    paywall = mentions(page, *PAYWALL_NEEDLES)
    body = extract_body(tree, decl, url, hints, meta.title_candidates, meta.authors, paywall)

    result.title, result.title_source = meta.title, meta.title_source
    result.body = render(body.blocks)
    result.body_source = body.source if result.body or body.source == "video_only" else None
    result.is_truncated = body.is_truncated
    result.authors, result.authors_source = meta.authors, meta.authors_source
    result.published, result.published_source = meta.published, meta.published_source
    result.updated, result.updated_source = meta.updated, meta.updated_source
    result.canonical_url, result.site_name = meta.canonical_url, meta.site_name
    result.image, result.tags, result.description = meta.image, meta.tags, meta.description
    result.warnings.extend(meta.warnings)

    declared = normalise_code(meta.declared_language)
    if len(result.body) >= MIN_DETECT_CHARS:
        detected, confidence = detect_language(result.body)
        if detected:
            result.language, result.language_confidence, result.language_source = detected, confidence, "detected"
            if declared and declared != detected:
                result.warnings.append(f"language_declared_{declared}_detected_{detected}")
        # A long body the identifier refuses is not language (markup soup, binary): no declared fallback.
    elif declared and result.body:
        result.language, result.language_source = declared, "declared"
    return result
