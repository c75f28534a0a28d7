"""The body of one page, decided per page from several candidates, with ``body_source`` recorded.

The chain, and the signals that move along it (none of them tuned to a site):

1. ``trafilatura``: trafilatura's balanced extraction (comments off) on the shared tree, anchored
   back into the page, extended by sibling containers of the same kind when the story is split by ad
   rows (``+continuation``), then cleaned paragraph by paragraph (:mod:`newsflow.extract.cleanup`).
2. If that is thin — fewer than :data:`MIN_BODY_WORDS` words, or only placeholders — or if the
   publisher's own JSON-LD ``articleBody`` is much longer than it and barely overlaps it, the other
   candidates are built: ``trafilatura_recall`` (its recall mode), ``density`` (our readability-style
   scorer), ``jsonld`` (``articleBody``), ``embedded_json`` (``__NEXT_DATA__`` and the like) and
   ``feed_content`` (the feed's ``content:encoded``).
3. A structured text (``jsonld``, ``embedded_json``, ``feed_content``) is what the publisher says the
   story is: a page candidate that covers most of it wins (it keeps the page's structure), otherwise
   the structured text itself. Without one, the page candidate with the most prose (words in
   sentence-like paragraphs) wins.
4. When nothing has :data:`MIN_BODY_WORDS` words, the feed's summary is used as ``feed_summary``,
   marked ``is_truncated``: a teaser, honestly labelled, is more useful than nothing. Without one, a
   short text with not a single sentence in it (a menu, a placeholder) is no body at all.

A video page whose text is a caption (fewer than :data:`VIDEO_MAX_WORDS`) gets an empty body with
``body_source = "video_only"``: it is not an article, and saying so beats passing a caption off as one.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import trafilatura
from lxml import etree
from lxml.html import HtmlElement

from newsflow.extract.anchoring import SourceIndex, common_root
from newsflow.extract.blocks import Block, from_html_fragment, from_trafilatura, word_count
from newsflow.extract.cleanup import CleanContext, clean_blocks
from newsflow.extract.density import continuation_blocks, density_blocks
from newsflow.extract.embedded import embedded_state_blocks, jsonld_article_body
from newsflow.extract.model import FeedHints
from newsflow.extract.structured import PageDeclarations

MIN_BODY_WORDS = 60
VIDEO_MAX_WORDS = 120
STRUCTURED_LONGER = 1.4  # a structured text this much longer than the page body ...
STRUCTURED_COVERED = 0.6  # ... and covered less than this by it means trafilatura missed the story
COVERS = 0.8  # a page candidate covering this much of the structured text keeps its structure
AGREE = 0.9  # two candidates covering this much of each other say the same thing
PROSE_MIN_WORDS = 12
PROSE_MAX_WORDS = 300
PROSE_SHARE = 0.5  # below this share of words in prose paragraphs, trafilatura's output is suspect

_VIDEO_XPATH = etree.XPath(
    "//video | //iframe[contains(@src,'youtube') or contains(@src,'vimeo') or contains(@src,'dailymotion') "
    "or contains(@src,'jwplayer') or contains(@src,'brightcove')] | //*[contains(@class,'video-player')]"
)
_PAYWALL_XPATH = etree.XPath(
    "//*[@data-paywall or contains(@class,'paywall') or contains(@class,'Paywall') or contains(@id,'paywall') "
    "or contains(@id,'Paywall') or contains(@class,'subscriber-only') or contains(@class,'premium-content')]"
)
_TOKENS = re.compile(r"\w+")


@dataclass
class BodyResult:
    blocks: list[Block] = field(default_factory=list)
    source: str | None = None
    is_truncated: bool = False
    candidates: dict[str, int] = field(default_factory=dict)  # source -> words, for inspection


def shingles(text: str, n: int = 4) -> Counter[tuple[str, ...]]:
    tokens = _TOKENS.findall(text)
    if len(tokens) < n:
        return Counter([tuple(tokens)]) if tokens else Counter()
    return Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


def coverage(of: Sequence[Block], by: Sequence[Block]) -> float:
    """Share of ``of``'s 4-word shingles that ``by`` also has."""
    a = shingles(" ".join(b.plain() for b in of))
    if not a:
        return 0.0
    b = shingles(" ".join(x.plain() for x in by))
    return sum((a & b).values()) / sum(a.values())


_SENTENCE_MARK = re.compile(r"[.!?。！？](?:\s|$|[\"'”’»)])")


def is_prose(block: Block) -> bool:
    """A paragraph of sentences: 12 to 300 words, at least one sentence end per 60 words.

    A page dump glued into one block (navigation, teasers and story run together) fails on size or
    on punctuation; so does a menu or a tag cloud."""
    if block.kind != "paragraph":
        return False
    words = block.words
    if not PROSE_MIN_WORDS <= words <= PROSE_MAX_WORDS:
        return False
    return len(_SENTENCE_MARK.findall(block.text + " ")) >= max(1, words // 60)


_FULL_STOP = re.compile(r"[.!?。！？][\"'”’»)]?$")


def _is_sentence(block: Block) -> bool:
    """At least five words ending with a full stop (an ellipsis does not count: "Loading…")."""
    return block.kind == "paragraph" and block.words >= 5 and bool(_FULL_STOP.search(block.text))


def prose_words(blocks: Sequence[Block]) -> int:
    return sum(b.words for b in blocks if is_prose(b))


def is_paywalled(tree: HtmlElement, decl: PageDeclarations, markup_mentions_paywall: bool = True) -> bool:
    """The publisher says the article is not free, or the page has a paywall element.

    ``markup_mentions_paywall`` lets the caller skip the XPath (slow on big pages) when a byte search
    of the raw page already found no "paywall", "premium" or "subscriber" anywhere."""
    if any(v in (False, "False", "false") for v in decl.article_values("isAccessibleForFree")):
        return True
    return markup_mentions_paywall and bool(_PAYWALL_XPATH(tree))


def _trafilatura(tree: HtmlElement, url: str | None, recall: bool = False) -> list[Block]:
    doc = trafilatura.bare_extraction(
        tree,
        url=url,
        fast=True,
        favor_recall=recall,
        include_comments=False,
        include_tables=True,
        with_metadata=False,
        deduplicate=False,
    )
    body = getattr(doc, "body", None) if doc is not None else None
    return from_trafilatura(body)


def _document_order(tree: HtmlElement) -> dict[etree._Element, int]:
    return {el: i for i, el in enumerate(tree.iter())}


def _with_continuation(tree: HtmlElement, blocks: list[Block], root: etree._Element | None) -> tuple[list[Block], bool]:
    extra = continuation_blocks(tree, root)
    if not extra or root is None:
        return blocks, False
    order = _document_order(tree)
    known = {b.plain() for b in blocks}
    pieces: list[tuple[int, int, Block]] = [(order.get(root, 0), i, b) for i, b in enumerate(blocks)]
    for el, el_blocks in extra:
        base = order.get(el, 0)
        pieces.extend((base, i, b) for i, b in enumerate(el_blocks) if b.plain() not in known)
    pieces.sort(key=lambda p: (p[0], p[1]))
    return [b for _, _, b in pieces], True


def _clean(blocks: list[Block], index: SourceIndex, ctx_titles: Sequence[str], authors: Sequence[str]) -> list[Block]:
    index.anchor(blocks)
    ctx = CleanContext(titles=ctx_titles, authors=authors, root=common_root(b.source for b in blocks))
    return clean_blocks(blocks, ctx)


def extract_body(
    tree: HtmlElement,
    decl: PageDeclarations,
    url: str | None,
    hints: FeedHints | None,
    titles: Sequence[str],
    authors: Sequence[str],
    markup_mentions_paywall: bool = True,
) -> BodyResult:
    index = SourceIndex(tree)
    base = _trafilatura(tree, url)
    index.anchor(base)
    root = common_root(b.source for b in base if b.kind == "paragraph")
    base, continued = _with_continuation(tree, base, root)
    ctx = CleanContext(titles=titles, authors=authors, root=root)
    base = clean_blocks(base, ctx)
    result = BodyResult(base, "trafilatura+continuation" if continued else "trafilatura")
    result.candidates[result.source or "trafilatura"] = word_count(base)
    base_words = word_count(base)
    paywalled = is_paywalled(tree, decl, markup_mentions_paywall)
    video_page = base_words < VIDEO_MAX_WORDS and bool(_VIDEO_XPATH(tree))

    structured: list[tuple[str, list[Block]]] = []
    jsonld = jsonld_article_body(decl)
    if jsonld:
        structured.append(("jsonld", jsonld))
    thin = base_words < MIN_BODY_WORDS or prose_words(base) < PROSE_SHARE * base_words
    missed = any(
        word_count(s) >= STRUCTURED_LONGER * max(base_words, 1) and coverage(s, base) < STRUCTURED_COVERED
        for _, s in structured
    )
    if not thin and not missed and not video_page:
        # Same text, better structure: trafilatura sometimes finds the story only in the JSON-LD
        # itself and returns it as one block; the publisher's own paragraphs are worth keeping.
        for name, blocks in structured:
            if len(base) <= 2 < len(blocks) and coverage(blocks, base) >= AGREE and coverage(base, blocks) >= AGREE:
                return BodyResult(clean_blocks(blocks, CleanContext(titles=titles, authors=authors)), name, paywalled)
        result.is_truncated = paywalled
        return result

    if hints is not None and hints.content_html:
        feed = from_html_fragment(hints.content_html)
        if word_count(feed) >= MIN_BODY_WORDS:
            structured.append(("feed_content", feed))
    state = embedded_state_blocks(tree)
    if word_count(state) >= MIN_BODY_WORDS:
        structured.append(("embedded_json", state))
    structured = [
        (name, clean_blocks(blocks, CleanContext(titles=titles, authors=authors))) for name, blocks in structured
    ]
    structured = [(name, blocks) for name, blocks in structured if word_count(blocks) >= MIN_BODY_WORDS]
    for name, blocks in structured:
        result.candidates[name] = word_count(blocks)

    if video_page and not any(word_count(b) >= VIDEO_MAX_WORDS for _, b in structured):
        return BodyResult([], "video_only", False, result.candidates)

    page: list[tuple[str, list[Block]]] = [(result.source or "trafilatura", base)]
    recall = _clean(_trafilatura(tree, url, recall=True), index, titles, authors)
    page.append(("trafilatura_recall", recall))
    dense = _clean(density_blocks(tree), index, titles, authors)
    page.append(("density", dense))
    for name, blocks in page[1:]:
        result.candidates[name] = word_count(blocks)

    chosen: tuple[str, list[Block]] | None = None
    if structured:
        reference_name, reference = max(structured, key=lambda s: word_count(s[1]))
        covering = [(n, b) for n, b in page if word_count(b) >= MIN_BODY_WORDS and coverage(reference, b) >= COVERS]
        # The tightest page text that has it all, else the structured text itself.
        chosen = min(covering, key=lambda c: word_count(c[1])) if covering else (reference_name, reference)
    else:
        best = max(page, key=lambda c: prose_words(c[1]))
        if word_count(best[1]) >= MIN_BODY_WORDS and prose_words(best[1]) > prose_words(base):
            chosen = best
    if chosen is None and base_words < MIN_BODY_WORDS and hints is not None and hints.summary:
        summary = from_html_fragment(hints.summary)
        if word_count(summary) > base_words:
            return BodyResult(summary, "feed_summary", True, result.candidates)
    if chosen is None:
        if base_words < MIN_BODY_WORDS and not any(_is_sentence(b) for b in base):
            # A few words and not one sentence: a menu, a placeholder, a consent button. Not an article.
            return BodyResult([], None, False, result.candidates)
        result.is_truncated = paywalled
        return result
    name, blocks = chosen
    # A structured full text longer than what the page shows is the whole story, paywall or not.
    full_text = name in ("jsonld", "embedded_json", "feed_content") and word_count(blocks) >= STRUCTURED_LONGER * max(
        base_words, 1
    )
    return BodyResult(blocks, name, paywalled and not full_text, result.candidates)
