"""The body as a list of blocks, and the one text convention every body follows.

Body text convention (what analysts and the facts stage read):

- blocks are separated by one blank line (``"\\n\\n"``); inside a paragraph, whitespace is one space;
- a subheading is its own block starting with ``"## "`` (whatever its HTML level), never glued onto
  the sentence after it;
- a list is one block, one item per line, each starting with ``"- "``;
- a table is one block, one row per line, cells separated by ``" | "``;
- everything else (paragraphs, block quotes, code) is a plain paragraph.

Blocks keep the element they came from in the page (``source``) when it is known, so paragraph-level
decisions can look at link density and at what the surrounding markup calls itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Literal

from lxml import etree
from lxml import html as lxml_html

BlockKind = Literal["paragraph", "heading", "list", "table"]

HEADING_MARK = "## "
ITEM_MARK = "- "
CELL_SEP = " | "

_SENTENCE_END = re.compile(r"[.!?…:;\"'”’»)\]。！？」』）]$")
_LOWER_START = re.compile(r"^[a-zà-ÿ]")


# Scripts written without spaces between words: Han, kana, Thai, Lao, Khmer, Myanmar.
_UNSPACED = "\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_UNSPACED_CHAR = re.compile(f"[{_UNSPACED}]")
_SPACED_WORD = re.compile(f"[^\\W{_UNSPACED}]+")
CHARS_PER_UNSPACED_WORD = 2  # a common estimate for Chinese and Japanese


def count_words(text: str) -> int:
    """Words in ``text``: ``\\w+`` runs, and for scripts written without spaces one word per two characters.

    Counting whitespace-separated tokens would make a Japanese article of 2,000 characters "12 words
    long", and every rule that asks whether a block is a sentence or a body is long enough would fail."""
    if not text:
        return 0
    unspaced = len(_UNSPACED_CHAR.findall(text))
    spaced = len(_SPACED_WORD.findall(text))
    return spaced + (unspaced + CHARS_PER_UNSPACED_WORD - 1) // CHARS_PER_UNSPACED_WORD


def norm(text: str | None) -> str:
    """Collapse whitespace (including no-break spaces) and trim."""
    return " ".join(text.split()) if text else ""


@dataclass
class Block:
    kind: BlockKind
    text: str = ""
    items: list[str] = field(default_factory=list)  # list items or table rows
    source: etree._Element | None = field(default=None, repr=False, compare=False)
    whole: str = ""  # text of the whole output element this block was split from (for source lookup)
    _words: int = field(default=-1, repr=False, compare=False)

    @property
    def words(self) -> int:
        """:func:`count_words` of the block's text, computed once (blocks are not edited after creation)."""
        if self._words < 0:
            self._words = count_words(self.plain())
        return self._words

    def plain(self) -> str:
        """The block's words without markers, for scoring and comparison."""
        return " ".join(self.items) if self.kind in ("list", "table") else self.text

    def render(self) -> str:
        if self.kind == "heading":
            return HEADING_MARK + self.text
        if self.kind == "list":
            return "\n".join(ITEM_MARK + item for item in self.items)
        if self.kind == "table":
            return "\n".join(self.items)
        return self.text


def render(blocks: Iterable[Block]) -> str:
    return "\n\n".join(r for r in (b.render() for b in blocks if b.plain()) if r.strip())


def word_count(blocks: Iterable[Block]) -> int:
    return sum(b.words for b in blocks)


def _split_lines(parts: list[str]) -> list[str]:
    """Lines split at ``<br>``; a break inside a sentence (next line starts lower-case) is re-joined."""
    lines: list[str] = []
    for part in (norm(p) for p in parts):
        if not part:
            continue
        if lines and not _SENTENCE_END.search(lines[-1]) and _LOWER_START.match(part):
            lines[-1] = f"{lines[-1]} {part}"
        else:
            lines.append(part)
    return lines


def _text_with_breaks(el: etree._Element, break_tags: frozenset[str]) -> list[str]:
    """The element's text, cut at line-break descendants (scripts and styles inside it skipped)."""
    parts = [el.text or ""]

    def walk(node: etree._Element) -> None:
        for child in node:
            if not isinstance(child.tag, str) or child.tag in _NO_TEXT:
                parts[-1] += child.tail or ""
                continue
            if child.tag in break_tags:
                parts.append("")
            else:
                parts[-1] += child.text or ""
                walk(child)
            parts[-1] += child.tail or ""

    walk(el)
    return parts


_NO_TEXT = frozenset({"script", "style", "noscript", "template"})

# ---------------------------------------------------------------- trafilatura's XML body

_TRAF_BREAKS = frozenset({"lb"})


def from_trafilatura(body: etree._Element | None) -> list[Block]:
    """Blocks from trafilatura's internal XML (``p``, ``head``, ``list``/``item``, ``quote``, ``table``…)."""
    blocks: list[Block] = []
    if body is None:
        return blocks
    for el in body:
        blocks.extend(_traf_element(el))
    return blocks


def _traf_element(el: etree._Element) -> Iterator[Block]:
    tag = el.tag
    if tag == "list":
        items = [norm("".join(it.itertext())) for it in el.iter("item")]
        items = [i for i in items if i]
        if items:
            yield Block("list", items=items)
    elif tag == "table":
        rows = []
        for row in el.iter("row"):
            cells = [norm("".join(c.itertext())) for c in row.iter("cell")]
            if any(cells):
                rows.append(CELL_SEP.join(c for c in cells if c))
        if rows:
            yield Block("table", items=rows)
    elif tag == "head":
        text = norm("".join(el.itertext()))
        if text:
            yield Block("heading", text, whole=text)
    elif tag in ("div", "quote") and any(isinstance(c.tag, str) and c.tag in _TRAF_CONTAINERS for c in el):
        if el.text and el.text.strip():
            yield Block("paragraph", norm(el.text), whole=norm(el.text))
        for child in el:
            yield from _traf_element(child)
            if child.tail and child.tail.strip():
                yield Block("paragraph", norm(child.tail), whole=norm(child.tail))
    elif tag == "graphic":
        return
    else:
        whole = norm("".join(el.itertext()))
        for line in _split_lines(_text_with_breaks(el, _TRAF_BREAKS)):
            yield Block("paragraph", line, whole=whole)


_TRAF_CONTAINERS = frozenset({"p", "head", "list", "quote", "table", "div", "code"})


# ---------------------------------------------------------------- HTML (feeds, JSON, DOM containers)

HTML_BREAKS = frozenset({"br"})
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_SKIP = frozenset({"script", "style", "noscript", "template", "svg", "iframe", "form", "button", "nav", "figure"})
_PARAGRAPHS = frozenset({"p", "blockquote", "pre", "address", "figcaption", "dd", "dt"})
_BLOCK_TAGS = _HEADINGS | _PARAGRAPHS | {"ul", "ol", "table", "div", "section", "article", "main", "aside", "header"}


def from_element(root: etree._Element) -> list[Block]:
    """Blocks of an HTML element: headings, paragraphs, lists and tables in document order.

    Text that sits directly in a container (``<div>text<br>text</div>``) becomes paragraphs too,
    because feeds and embedded JSON often carry bodies written that way.
    """
    blocks: list[Block] = []
    _collect(root, blocks)
    return blocks


def _collect(el: etree._Element, out: list[Block]) -> None:
    pending: list[str] = [el.text or ""]

    def flush() -> None:
        for line in _split_lines(pending):
            out.append(Block("paragraph", line, source=el))
        pending.clear()
        pending.append("")

    for child in el:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag in _SKIP:
            pass
        elif tag in _HEADINGS:
            flush()
            text = norm(child.text_content())
            if text:
                out.append(Block("heading", text, source=child))
        elif tag in ("ul", "ol"):
            flush()
            items = [norm(li.text_content()) for li in child.iter("li")]
            items = [i for i in items if i]
            if items:
                out.append(Block("list", items=items, source=child))
        elif tag == "table":
            flush()
            rows = []
            for tr in child.iter("tr"):
                cells = [norm(c.text_content()) for c in tr if isinstance(c.tag, str) and c.tag in ("td", "th")]
                if any(cells):
                    rows.append(CELL_SEP.join(c for c in cells if c))
            if rows:
                out.append(Block("table", items=rows, source=child))
        elif tag in _PARAGRAPHS and not any(
            isinstance(d.tag, str) and d.tag in _BLOCK_TAGS for d in child.iterdescendants()
        ):
            flush()
            for line in _split_lines(_text_with_breaks(child, HTML_BREAKS)):
                out.append(Block("paragraph", line, source=child))
        elif tag in HTML_BREAKS:
            pending.append("")
        elif tag in _BLOCK_TAGS or tag in _PARAGRAPHS or tag == "li":
            flush()
            _collect(child, out)
        elif tag:
            # inline element: its text joins the running paragraph
            inner = _text_with_breaks(child, HTML_BREAKS)
            pending[-1] += inner[0]
            pending.extend(inner[1:])
        pending[-1] += child.tail or ""
    flush()


def from_html_fragment(fragment: str) -> list[Block]:
    """Blocks of an HTML fragment (a feed's ``content:encoded``, a JSON ``body`` field); plain text too."""
    if not fragment or not fragment.strip():
        return []
    if "<" not in fragment:
        return from_text(fragment)
    try:
        root = lxml_html.fragment_fromstring(fragment, create_parent="div")
    except (etree.ParserError, ValueError):
        return from_text(re.sub(r"<[^>]+>", " ", fragment))
    return from_element(root)


def from_text(text: str) -> list[Block]:
    """Blocks of plain text: one paragraph per non-empty line."""
    return [Block("paragraph", line) for line in (norm(x) for x in text.replace("\r", "\n").split("\n")) if line]
