"""Paragraph-level decisions: which blocks of a candidate body are the story.

Each rule names a kind of thing that is not the story and that looks the same on every site:
headline and standfirst repeated at the top, placeholders ("Loading…"), captions and photo credits,
bylines and datelines at the edges, calls to action (newsletter, "click here", "follow us"), link
lists, wire credits and copyright lines, press-release boilerplate ("About Acme"), pull quotes that
repeat a paragraph, and short unpunctuated furniture at the end. The rules look at a block's text,
its size, its position, and — when the block could be anchored in the page — its link density and
the names of the wrappers it sits in. Text-only rules are kept short-block-only, so a real
paragraph that merely mentions a newsletter is never cut.

Subheadings are recognised here too: a short paragraph written entirely in bold, or a short
all-capitals line between paragraphs, becomes a heading block.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from lxml import etree

from newsflow.extract.anchoring import boilerplate_wrapper, link_density
from newsflow.extract.blocks import Block
from newsflow.extract.titles import similarity

_KEY = re.compile(r"[\W_]+", re.UNICODE)
_SENTENCE_END = re.compile(r"[.!?…:;\"'”’»)\]。！？」』）]$")

PLACEHOLDER = re.compile(
    r"^(?:loading|please wait|one moment|wird geladen|lädt|cargando|carregando|chargement|caricamento|"
    r"please enable javascript|you need to enable javascript|javascript (?:is )?(?:required|disabled)|"
    r"this (?:content|video|page) (?:is )?(?:loading|unavailable)|enable javascript to)\b.{0,60}$",
    re.IGNORECASE,
)
_CTA_LABELS = (
    r"related(?: (?:articles?|stories|content|coverage|reading|posts?|links?))?|also|also read|read more|read also|"
    r"see also|more|more coverage|recommended|advertisement|advertising|sponsored|watch|listen|photos|video|"
    r"trending|top stories|don't miss|lesen sie auch|mehr zum thema|anzeige|leia também|leia mais|lea también|"
    r"lee también|lire aussi|publicité|publicidad|werbung"
)
# A label on its own, or followed by a colon or dash ("Related: …", "WATCH – …").
_CTA_LABEL = re.compile(rf"^(?:{_CTA_LABELS})(?:\s*[:|–—-]|\s*[.!…]*$)", re.IGNORECASE)
_CTA_IMPERATIVE = re.compile(
    r"^(?:click here|tap here|subscribe (?:to|now|today|for|here)|sign up\b|follow us\b|follow @|"
    r"like this (?:story|article)|get access|download (?:the|our)\b|also on \w+|more from \w+|"
    r"abonnez-vous|suscríbete|siga-nos|folgen sie uns)",
    re.IGNORECASE,
)
_CTA_ANYWHERE = re.compile(
    r"\bnewsletter\b.{0,60}\b(?:sign|subscrib|inbox|free)|\b(?:sign(?:ing)? up|subscrib\w*)\b.{0,60}\bnewsletter\b|"
    r"subscrib(?:e|ing) (?:to (?:our|the)|now|today)|sign up (?:for|to|now|today|here)|delivered to your inbox|"
    r"click(?:ing)? here|tap here|follow us\b|follow @\w+|follow (?:him|her|them) (?:on|@)|"
    r"on (?:twitter|facebook|instagram) @|"
    r"you (?:may|might) also like|like this (?:story|article)|share (?:this|it) with (?:a friend|your friends|friends)|"
    r"tell us what you think|explore further|all rights reserved|leave a (?:comment|reply)|"
    r"comments? (?:are|is) (?:closed|moderated)|^comments?$|^\d+ comments?$|sponsored content|©|ⓒ|\(c\) \d{4}",
    re.IGNORECASE,
)
# Words one of which every _CTA_ANYWHERE match contains: a substring test on them is far cheaper than
# running the regex over every short paragraph.
_CTA_TRIGGERS = (
    "newsletter", "subscrib", "sign up", "inbox", "click", "tap here", "follow", "@", "also like",
    "like this", "share", "tell us", "explore further", "rights reserved", "leave a", "comment", "sponsored",
    "©", "ⓒ", "(c)",
)  # fmt: skip
CTA_MAX_WORDS = 60
_CREDIT = re.compile(
    r"^\(?(?:(?:additional |further )?reporting|writing|editing|edited|compiled|produced|translated|"
    r"research|graphics?|photography|illustrations?) by\b|^(?:sources?|quelle|fuente|fonte|with files from)\s*:|"
    r"^(?:©|ⓒ|\(c\)|copyright)\b",
    re.IGNORECASE,
)
_CAPTION = re.compile(
    r"^(?:photo|image|picture|foto|bild|credit|illustration|file photo)s?\s*(?:[:|/]|by\b)|"
    r"(?:\((?:AP|AFP|Reuters|EPA|Getty)[^)]*\)|/\s*(?:Getty Images|AP|AFP|Reuters|EPA|Shutterstock)\)?)\s*$|"
    r"\b(?:Getty Images|Shutterstock|iStock)\s*$|\((?:photo |image )?credits?:[^)]*\)\s*$",
    re.IGNORECASE,
)
_CAPTION_STARTS = ("photo", "image", "picture", "foto", "bild", "credit", "illustration", "file photo")
_CAPTION_ENDS = (")", "Images", "Shutterstock", "iStock", "AP", "AFP", "Reuters", "EPA")
_CONTACT = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+|https?://\S+|www\.\S+|twitter\.com/\S+|(?<!\w)@\w{2,}")
# "By Maria Lindqvist", not "By Tuesday, the river had risen" nor "By 2030".
_BYLINE = re.compile(
    r"^(?:by|von|por|par|door|di|written by|posted by)\s+"
    r"(?!(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day|jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|"
    r"june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?|the|a|an|then|now|"
    r"early|late|mid|end|noon|midnight|la|el|los|las|le|les|der|die|das|den|dem)\b|\d)[^\W\d_]",
    re.IGNORECASE,
)
_ENDS_SENTENCE = re.compile(r"[.!?。！？][\"'”’»)]?$")
_DATELIKE = re.compile(
    r"\b\d{1,2}:\d{2}\b|\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}[./]\d{1,2}[./]\d{2,4}\b|"
    r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d{1,2}\b|"
    r"\b\d{1,2}\.?\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\b",
    re.IGNORECASE,
)
_META_START = re.compile(
    r"^(?:published|updated|last updated|posted|modified|first published|veröffentlicht|aktualisiert|"
    r"publicado|actualizado|atualizado|publié|mis à jour|pubblicato|aggiornato|filed under|tags?|topics?|"
    r"categor(?:y|ies)|posted in|themen|schlagworte|etiquetas)\b",
    re.IGNORECASE,
)
_READING_TIME = re.compile(
    r"\b(?:reading time|read time|lesezeit|tempo de leitura|tiempo de lectura|temps de lecture)\b|"
    r"\b\d+\s*(?:-\s*)?(?:min|mins|minute|minutes|minuto|minutos|minuten)\s+(?:read|leitura|lectura|lesen)\b",
    re.IGNORECASE,
)
# Where a press release's boilerplate or a list of other stories begins; everything after it goes.
_SECTION_END = re.compile(
    r"^(?:[Aa]bout (?:us|the authors?|[A-Z][\w&.'’-]*(?: [A-Z0-9][\w&.'’-]*){0,3})|"
    r"(?i:media contacts?|press contacts?|investor contacts?|contacts?|forward[- ]looking statements?|"
    r"safe harbor statements?|#{3}))\s*:?$"
)
_STORIES_HEADING = re.compile(
    r"^(?:more|related|recommended|popular|trending|latest)(?:\s+(?:from|stories|articles|news|coverage|videos|"
    r"reading|posts|links|on|in)\b.{0,40})?$|"
    r"^(?:most read|most popular|read next|read more|you might also like|you may also like|also on|more great|"
    r"top stories|editor's picks)\b.{0,40}$",
    re.IGNORECASE,
)
EDGE_BLOCKS = 3
SHORT_LINE_WORDS = 4
BYLINE_MAX_WORDS = 15
LINK_LIST_DENSITY = 0.7
LINK_BLOCK_MAX_WORDS = 30
PULLQUOTE_MAX_WORDS = 40
PULLQUOTE_WINDOW = 4  # a pull quote sits within this many blocks of the paragraph it repeats
WRAPPER_MAX_WORDS = 50  # longer prose is judged on its own, not by the name of its wrapper
PULLQUOTE_MIN_WORDS = 5
HEADLINE_SIMILARITY = 0.9


def key(text: str) -> str:
    return _KEY.sub("", text.casefold())


@dataclass
class CleanContext:
    """What the rules know about the page besides the blocks themselves."""

    titles: Sequence[str] = ()
    authors: Sequence[str] = ()
    root: etree._Element | None = None  # the story's container in the page, when known
    dropped: list[tuple[str, str]] = field(default_factory=list)  # (rule, text) for inspection
    _stop: set[etree._Element] | None = field(default=None, repr=False)

    def root_and_ancestors(self) -> set[etree._Element]:
        if self._stop is None:
            self._stop = {self.root, *self.root.iterancestors()} if self.root is not None else set()
        return self._stop


def is_placeholder(text: str) -> bool:
    return bool(PLACEHOLDER.match(text.strip()))


def _words(block: Block) -> int:
    return block.words


def _is_short_line(block: Block) -> bool:
    text = block.plain().strip()
    return _words(block) <= SHORT_LINE_WORDS and len(text) <= 40 and not _SENTENCE_END.search(text)


def _matches_title(text: str, titles: Sequence[str]) -> bool:
    k = key(text)
    for title in titles:
        tk = key(title)
        if not tk or not k:
            continue
        if k == tk:
            return True
        ratio = len(k) / len(tk)
        if 0.7 <= ratio <= 1.4 and similarity(text, title) >= HEADLINE_SIMILARITY:
            return True
    return False


def _is_bold_subheading(block: Block) -> bool:
    el = block.source
    if el is None or block.kind != "paragraph" or _words(block) > 12 or _SENTENCE_END.search(block.text):
        return False
    bold = "".join(
        "".join(b.itertext())
        for b in el.iter("b", "strong")
        if b is el or b.getparent() is None or b.getparent().tag not in ("b", "strong")
    )
    return key(bold) == key(block.text) and bool(key(bold))


def _is_caps_subheading(block: Block) -> bool:
    text = block.text
    if block.kind != "paragraph" or not 1 <= _words(block) <= 6 or _SENTENCE_END.search(text):
        return False
    letters = [ch for ch in text if ch.isalpha()]
    return len(letters) >= 4 and all(ch.isupper() for ch in letters)


def _is_teaser_list(el: etree._Element | None) -> bool:
    """A list whose items carry headings or pictures is a list of other stories, not a list in the story."""
    if el is None or el.tag not in ("ul", "ol"):
        return False
    items = [li for li in el if li.tag == "li"]
    if len(items) < 2:
        return False
    teasers = sum(1 for li in items if next(li.iter("h2", "h3", "h4", "h5", "h6", "img", "picture"), None) is not None)
    return teasers >= 0.5 * len(items)


def _rule(block: Block, index: int, total: int, ctx: CleanContext) -> str | None:
    """The name of the rule that drops this block, or None to keep it."""
    text = block.plain().strip()
    words = _words(block)
    at_edge = index < EDGE_BLOCKS or index >= total - EDGE_BLOCKS
    if not text:
        return "empty"
    if not any(ch.isalnum() for ch in text):
        return "separator"  # "___", "* * *", "•••"
    if is_placeholder(text):
        return "placeholder"
    if (index < EDGE_BLOCKS or block.kind == "heading") and _matches_title(text, ctx.titles):
        return "headline"
    if words <= WRAPPER_MAX_WORDS or block.kind != "paragraph":
        wrapper = boilerplate_wrapper(block.source, ctx.root, ctx.root_and_ancestors())
        if wrapper is not None:
            return f"wrapper:{wrapper}"
    density = link_density(block.source) if words <= 80 or block.kind == "list" else None
    if density is not None and (
        density >= LINK_LIST_DENSITY and words <= LINK_BLOCK_MAX_WORDS or density >= 0.95 and words <= 80
    ):
        return "links"
    if block.kind == "list" and (density is not None and density >= 0.9 or _is_teaser_list(block.source)):
        return "link_list"
    if words > CTA_MAX_WORDS:
        return None  # every rule below is about short blocks
    lowered = text.lower()
    if (words <= 30 and (_CTA_LABEL.match(text) or _CTA_IMPERATIVE.match(text))) or (
        any(t in lowered for t in _CTA_TRIGGERS) and _CTA_ANYWHERE.search(text)
    ):
        return "call_to_action"
    if words <= 60 and _CREDIT.search(text):
        return "credit"
    if words <= 40 and (lowered.startswith(_CAPTION_STARTS) or text.endswith(_CAPTION_ENDS)) and _CAPTION.search(text):
        return "caption"
    if words <= 8 and _CONTACT.search(text) and len(_CONTACT.sub("", text).split()) <= 4:
        return "contact"
    if words <= BYLINE_MAX_WORDS and (_READING_TIME.search(text) or _META_START.match(text) and at_edge):
        return "meta_line"
    if at_edge and words <= BYLINE_MAX_WORDS and not _ENDS_SENTENCE.search(text):
        if _BYLINE.match(text):
            return "byline"
        if ctx.authors and any(a and a.casefold() in text.casefold() for a in ctx.authors) and words <= 10:
            return "byline"
    if index < EDGE_BLOCKS and words <= 10 and _DATELIKE.search(text) and not _ENDS_SENTENCE.search(text):
        rest = _DATELIKE.sub(" ", text)
        if len([w for w in rest.split() if any(ch.isalpha() for ch in w)]) <= 3:
            return "dateline"
    return None


def _drop_repeats(blocks: list[Block], ctx: CleanContext) -> list[Block]:
    """Repeated headings and pull quotes: a short paragraph repeated verbatim, or found inside a longer
    paragraph, a few blocks away. Lists and tables are never compared: a "key points" list that
    repeats sentences of the story keeps them, and so does the story."""
    keys = [key(b.plain()) if b.kind in ("paragraph", "heading") else "" for b in blocks]
    kept: list[Block] = []
    for i, block in enumerate(blocks):
        k = keys[i]
        words = _words(block)
        near = range(max(0, i - PULLQUOTE_WINDOW), min(len(blocks), i + PULLQUOTE_WINDOW + 1))
        if k and PULLQUOTE_MIN_WORDS <= words <= PULLQUOTE_MAX_WORDS:
            if any(j < i and keys[j] == k for j in near):
                ctx.dropped.append(("repeat", block.plain()))
                continue
            if any(j != i and len(keys[j]) > len(k) * 1.2 and k in keys[j] for j in near):
                ctx.dropped.append(("pull_quote", block.plain()))
                continue
        kept.append(block)
    return kept


def _cut_tail_sections(blocks: list[Block], ctx: CleanContext) -> list[Block]:
    """Press-release tails ("About Acme", "Media contact", "###") run to the end of the body."""
    half = len(blocks) // 2
    for i in range(max(1, half), len(blocks)):
        block = blocks[i]
        text = block.plain()
        if block.kind not in ("heading", "paragraph") or _words(block) > 6 or _SENTENCE_END.search(text.rstrip(":")):
            continue
        if _SECTION_END.match(text) or (block.kind == "heading" and _STORIES_HEADING.match(text)):
            ctx.dropped.extend(("tail_section", b.plain()) for b in blocks[i:])
            return blocks[:i]
    return blocks


def _trim_edges(blocks: list[Block], ctx: CleanContext) -> list[Block]:
    """Short unpunctuated lines at the end ("Update hourly"), headings with nothing after them, and
    kickers or datelines before the first real paragraph."""
    for _ in range(EDGE_BLOCKS):
        if len(blocks) > 1 and (_is_short_line(blocks[-1]) or blocks[-1].kind == "heading"):
            ctx.dropped.append(("edge", blocks.pop().plain()))
    lead = 0
    while lead < min(2, len(blocks) - 2) and (
        _is_short_line(blocks[lead]) and blocks[lead].kind != "list" or blocks[lead].kind == "heading"
    ):
        lead += 1
    if lead and sum(1 for b in blocks[lead:] if b.kind == "paragraph" and _words(b) >= 12) >= 2:
        ctx.dropped.extend(("edge", b.plain()) for b in blocks[:lead])
        blocks = blocks[lead:]
    return blocks


def mark_subheadings(blocks: list[Block]) -> None:
    """Short bold-only or all-capitals paragraphs between paragraphs are subheadings."""
    for i, block in enumerate(blocks):
        if 0 < i < len(blocks) - 1 and (_is_bold_subheading(block) or _is_caps_subheading(block)):
            block.kind = "heading"


def clean_blocks(blocks: Sequence[Block], ctx: CleanContext) -> list[Block]:
    """The blocks that are the story, in order, with subheadings marked."""
    # Tail sections first: their heading ("More from …") is itself a call to action that the
    # per-block rules would remove, and with it the sign of where the story ends.
    blocks = _cut_tail_sections(list(blocks), ctx)
    kept: list[Block] = []
    total = len(blocks)
    for i, block in enumerate(blocks):
        if block.kind == "list":
            block = _clean_list(block)
            if not block.items:
                continue
        reason = _rule(block, i, total, ctx)
        if reason is None:
            kept.append(block)
        else:
            ctx.dropped.append((reason, block.plain()))
    kept = _drop_repeats(kept, ctx)
    kept = _trim_edges(kept, ctx)
    mark_subheadings(kept)
    return kept


def _clean_list(block: Block) -> Block:
    items = [it for it in block.items if not is_placeholder(it)]
    return Block(block.kind, block.text, items=items, source=block.source, whole=block.whole)
