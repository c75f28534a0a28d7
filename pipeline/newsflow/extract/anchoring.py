"""Where a body block came from in the page, and what that place says about it.

trafilatura returns text, not pointers into the page; paragraph-level decisions need the page
element behind each paragraph (its link density, whether it sits in a ``<figcaption>`` or in a
wrapper calling itself "related" or "newsletter"). Block-level elements are indexed once by their
normalised text, and each block is looked up there: an exact match or nothing, never a guess.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from lxml import etree
from lxml.html import HtmlElement

from newsflow.extract.blocks import Block, norm

_INDEXED = (
    "p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "td", "th", "dd", "dt",
    "figcaption", "caption", "a", "pre", "div", "span", "section", "header", "footer", "aside",
)  # fmt: skip
_CONTAINERS = frozenset({"div", "span", "section", "header", "footer", "aside"})
MAX_INDEXED_CHARS = 4000
_TEXT_PARENTS = frozenset({"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th", "dd", "dt", "blockquote"})

# Names a page gives to wrappers around things that are not the story. Matched against whole
# class/id tokens or their dash/underscore-separated parts, never as substrings of other words.
BOILERPLATE_NAMES = frozenset(
    """
    related recirc recirculation promo promotion promoted newsletter newsletters subscribe subscription signup
    share sharing sharebar social breadcrumb breadcrumbs comments comment disqus sidebar advert advertisement
    adslot sponsored outbrain taboola trending recommended recommendations readmore paywall copyright
    disclaimer caption captions credit credits figcaption gallery slideshow tooltip rollover hovercard byline
    pullquote pull-quote
    """.split()  # noqa: SIM905 - a word list reads better as words
)
_TOKEN_SPLIT = re.compile(r"[\s]+")
_PART_SPLIT = re.compile(r"[-_]+")


def text_key(text: str) -> str:
    """Text without any whitespace: trafilatura joins ``<h3>a</h3><h4>b</h4>`` as "ab", the page as "a b"."""
    return "".join(text.split())


class SourceIndex:
    """Whitespace-free text -> first page element with exactly that text."""

    def __init__(self, tree: HtmlElement) -> None:
        self._by_text: dict[str, etree._Element] = {}
        for el in tree.iter(*_INDEXED):
            if el.tag in _CONTAINERS and not (el.text and el.text.strip()):
                continue  # a wrapper's text is its children's; index those instead
            if el.tag == "a":
                parent = el.getparent()
                if parent is not None and parent.tag in _TEXT_PARENTS:
                    continue  # a link inside a paragraph: the paragraph is indexed, and found first
            text = text_key(el.text_content())
            if text and len(text) <= MAX_INDEXED_CHARS:
                self._by_text.setdefault(text, el)

    def locate(self, block: Block) -> etree._Element | None:
        if block.source is not None:
            return block.source
        for text in (block.whole, block.text, block.items[0] if block.items else ""):
            key = text_key(text)
            if key and key in self._by_text:
                el = self._by_text[key]
                if block.items and el.tag == "li":
                    parent = el.getparent()
                    return parent if parent is not None else el
                return el
        return None

    def anchor(self, blocks: Iterable[Block]) -> None:
        for block in blocks:
            block.source = self.locate(block)


def link_density(el: etree._Element | None) -> float | None:
    """Share of the element's characters that are link text (1.0 inside a link); None if unknown."""
    if el is None:
        return None
    if el.tag == "a" or any(a.tag == "a" for a in el.iterancestors()):
        return 1.0
    total = len(norm(el.text_content()))
    if not total:
        return None
    linked = sum(len(norm(a.text_content())) for a in el.iter("a"))
    return min(1.0, linked / total)


def name_tokens(el: etree._Element) -> set[str]:
    """The element's class and id tokens, lower-cased, with their dash/underscore parts."""
    raw = f"{el.get('class') or ''} {el.get('id') or ''}".lower()
    tokens: set[str] = set()
    for token in _TOKEN_SPLIT.split(raw):
        if token:
            tokens.add(token)
            tokens.update(p for p in _PART_SPLIT.split(token) if p)
    return tokens


def boilerplate_wrapper(
    el: etree._Element | None, root: etree._Element | None, stop: set[etree._Element] | None = None
) -> str | None:
    """The first boilerplate name on ``el`` or an ancestor strictly inside ``root`` (the content root).

    The walk stops at the root or at any of its ancestors: a block outside the root is judged by the
    wrappers between it and the part of the page it shares with the story, never by ``<body>``'s
    classes ("single-post has-sidebar") that the story sits in too. ``stop`` is that set of elements,
    when the caller has it already."""
    if el is None or root is None:
        return None
    if stop is None:
        stop = {root, *root.iterancestors()}
    node: etree._Element | None = el
    while node is not None and node not in stop:
        hit = name_tokens(node) & BOILERPLATE_NAMES
        if hit:
            return sorted(hit)[0]
        if node.tag in ("aside", "figcaption", "figure", "nav", "footer"):
            return node.tag
        node = node.getparent()
    return None


def common_root(elements: Iterable[etree._Element | None]) -> etree._Element | None:
    """The deepest element containing the majority of the given elements (the story's container)."""
    els = [e for e in elements if e is not None]
    if not els:
        return None
    counts: dict[etree._Element, int] = {}
    for el in els:
        parent = el.getparent()
        while parent is not None:
            counts[parent] = counts.get(parent, 0) + 1
            parent = parent.getparent()
    need = max(1, (len(els) * 3 + 3) // 4)
    best: etree._Element | None = None
    best_depth = -1
    for node, count in counts.items():
        if count >= need:
            depth = sum(1 for _ in node.iterancestors())
            if depth > best_depth:
                best, best_depth = node, depth
    return best
