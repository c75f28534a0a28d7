"""Body and metadata from an article page (trafilatura), or from a plain-text article.

Body: trafilatura with comments off and precision favoured (the settings that scored best on the
article-extraction benchmark, see bench/extract.py), then a boilerplate trim that removes short
non-sentence lines at the edges of the body ("Update hourly", "Advertisement", "Share this") and
known boilerplate lines anywhere. Metadata: structured sources first (JSON-LD, then Open Graph /
article meta, then ``<time>``), trafilatura's own guesses last, each value with its provenance.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

import trafilatura
from lxml import html as lxml_html

from newsflow.sources.parse import parse_datetime

EXTRACTOR_VERSION = f"trafilatura-{trafilatura.__version__}"


@dataclass
class Extracted:
    title: str | None = None
    body: str = ""
    authors: list[str] = field(default_factory=list)
    published: datetime | None = None
    published_source: str | None = None
    updated: datetime | None = None
    language: str | None = None
    url: str | None = None
    body_source: str | None = None
    is_truncated: bool = False

    @property
    def word_count(self) -> int:
        return len(re.findall(r"\w+", self.body))

    def as_json(self) -> dict:
        return {
            "title": self.title,
            "body": self.body,
            "published": self.published.isoformat() if self.published else None,
            "published_source": self.published_source,
            "language": self.language,
            "url": self.url,
            "authors": self.authors,
            "is_truncated": self.is_truncated,
            "word_count": self.word_count,
        }


# ---------------------------------------------------------------- boilerplate

_BOILERPLATE_LINES = re.compile(
    r"^(advertisement|advertising|sponsored( content)?|update[sd]? hourly|read more|continue reading|"
    r"share( this( article| story)?)?|follow us( on \w+)?|sign up for our newsletter|subscribe( now)?|"
    r"related( articles| stories)?|click here.*|photo:.*|image:.*|getty images|all rights reserved.*|"
    r"copyright .*|© .*)[.!:]?$",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"[.!?…:;\"'”’»)\]。！？」』）]$")
EDGE_LINES_MAX = 3


def _is_edge_boilerplate(line: str) -> bool:
    """A short line without sentence punctuation at the bottom of a body is site furniture."""
    line = line.strip()
    return len(line.split()) <= 4 and len(line) <= 40 and not _SENTENCE_END.search(line)


def clean_paragraphs(paragraphs: list[str]) -> list[str]:
    paras = [re.sub(r"\s+", " ", p).strip() for p in paragraphs]
    paras = [p for p in paras if p and not _BOILERPLATE_LINES.match(p)]
    for _ in range(EDGE_LINES_MAX):
        if len(paras) > 1 and _is_edge_boilerplate(paras[-1]):
            paras.pop()
    return paras


# ---------------------------------------------------------------- metadata


def _jsonld_objects(tree: lxml_html.HtmlElement) -> list[dict]:
    found: list[dict] = []
    for script in tree.xpath('//script[@type="application/ld+json"]'):
        try:
            doc = json.loads(script.text_content() or "")
        except (json.JSONDecodeError, ValueError):
            continue
        stack = [doc]
        while stack:
            obj = stack.pop()
            if isinstance(obj, list):
                stack.extend(obj)
            elif isinstance(obj, dict):
                found.append(obj)
                if "@graph" in obj:
                    stack.append(obj["@graph"])
    return found


def _is_article(obj: dict) -> bool:
    types = obj.get("@type")
    types = types if isinstance(types, list) else [types]
    return any(isinstance(t, str) and ("Article" in t or t in ("BlogPosting", "Report")) for t in types)


def _names(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return _names(value.get("name"))
    if isinstance(value, list):
        return [n for v in value for n in _names(v)]
    return []


def _meta(tree: lxml_html.HtmlElement, *names: str) -> str | None:
    for name in names:
        for attr in ("property", "name", "itemprop"):
            values = tree.xpath(f'//meta[@{attr}="{name}"]/@content')
            if values and values[0].strip():
                return values[0].strip()
    return None


_STOPWORD_TEXT = {
    "en": "the and of to in is that for it was on with as said by at from his her are have",
    "de": "der die und das ist nicht mit sich des auf für dem ein eine sie auch wurde den von",
    "es": "el la de que y en los las del por para con una un se su al como más fue",
    "fr": "le la les de des et est que une un pour dans qui sur pas au avec il elle",
    "it": "il la di che e è per una un del della non con sono gli le si",
    "pt": "o a de que e do da em um uma para com não os as dos das foi",
    "nl": "de het een en van is dat op te in niet met voor zijn er ook",
}
_STOPWORDS = {lang: frozenset(words.split()) for lang, words in _STOPWORD_TEXT.items()}


def guess_language(text: str) -> str | None:
    """A stopword vote: good enough to tell news languages apart on a few hundred words."""
    words = re.findall(r"[a-zäöüßáéíóúñèàçâêôûœ]+", text.lower())[:2000]
    if len(words) < 20:
        return None
    scores = {lang: sum(1 for w in words if w in stopwords) for lang, stopwords in _STOPWORDS.items()}
    best = max(scores, key=scores.get)
    return best if scores[best] >= max(3, len(words) // 20) else None


def _page_metadata(tree: lxml_html.HtmlElement) -> dict:
    meta: dict = {}
    for obj in _jsonld_objects(tree):
        if not _is_article(obj):
            continue
        if obj.get("headline"):
            meta.setdefault("title", (str(obj["headline"]), "jsonld"))
        if parse_datetime(obj.get("datePublished")):
            meta.setdefault("published", (parse_datetime(obj["datePublished"]), "jsonld"))
        if parse_datetime(obj.get("dateModified")):
            meta.setdefault("updated", (parse_datetime(obj["dateModified"]), "jsonld"))
        if _names(obj.get("author")):
            meta.setdefault("authors", (_names(obj["author"]), "jsonld"))
        if isinstance(obj.get("inLanguage"), str):
            meta.setdefault("language", (obj["inLanguage"], "jsonld"))
        if obj.get("isAccessibleForFree") in (False, "False", "false"):
            meta["paywalled"] = True
    published = parse_datetime(_meta(tree, "article:published_time", "datePublished", "pubdate", "date"))
    if published:
        meta.setdefault("published", (published, "meta"))
    updated = parse_datetime(_meta(tree, "article:modified_time", "dateModified"))
    if updated:
        meta.setdefault("updated", (updated, "meta"))
    author = _meta(tree, "author", "article:author")
    if author and not author.startswith("http"):
        meta.setdefault("authors", ([author], "meta"))
    title = _meta(tree, "og:title", "twitter:title")
    if title:
        meta.setdefault("title", (title, "meta"))
    if "published" not in meta:
        for value in tree.xpath("//article//time/@datetime | //time[@itemprop='datePublished']/@datetime"):
            if parse_datetime(value):
                meta["published"] = (parse_datetime(value), "time_element")
                break
    lang = tree.xpath("string(/html/@lang)").strip() or _meta(tree, "og:locale", "language")
    if lang:
        meta.setdefault("language", (lang, "html"))
    return meta


def _normalise_language(code: str | None) -> str | None:
    if not code:
        return None
    code = code.strip().replace("_", "-").split("-")[0].lower()
    return code if re.fullmatch(r"[a-z]{2,3}", code) else None


def _paywall_markers(tree: lxml_html.HtmlElement) -> bool:
    return bool(
        tree.xpath(
            "//*[contains(translate(@class,'PAYWAL','paywal'),'paywall') or contains(@id,'paywall') or @data-paywall]"
        )
    )


_VIDEO_XPATH = (
    "//video | //iframe[contains(@src,'youtube') or contains(@src,'vimeo') or contains(@src,'dailymotion') "
    "or contains(@src,'jwplayer') or contains(@src,'brightcove')] | //*[contains(@class,'video-player')]"
)
VIDEO_MAX_WORDS = 120


def _drop_title_line(paragraphs: list[str], title: str | None) -> list[str]:
    """Trafilatura keeps an ``<h1>`` inside the main container as the first line; the title has its own field."""
    if paragraphs and title and paragraphs[0].strip().casefold() == title.strip().casefold():
        return paragraphs[1:]
    return paragraphs


def extract_html(page: bytes | str, url: str | None = None) -> Extracted:
    """Extract one article page. An empty ``body`` means no article text was found (e.g. video only)."""
    result = Extracted(url=url)
    data = page.encode("utf-8") if isinstance(page, str) else page  # lxml refuses str with an XML declaration
    try:
        tree = lxml_html.fromstring(data if data and data.strip() else b"<html></html>")
    except (ValueError, lxml_html.etree.ParserError):
        tree = lxml_html.fromstring(b"<html></html>")
    meta = _page_metadata(tree)
    doc = trafilatura.bare_extraction(
        page,
        url=url,
        include_comments=False,
        favor_precision=True,
        with_metadata=True,
        include_tables=True,
        deduplicate=False,
    )
    result.title = meta.get("title", (None,))[0] or (doc.title if doc else None) or None
    if doc is not None and doc.text:
        paragraphs = _drop_title_line(clean_paragraphs(doc.text.split("\n")), result.title)
        result.body = "\n\n".join(paragraphs)
        result.body_source = "trafilatura"
    if tree.xpath(_VIDEO_XPATH) and result.word_count < VIDEO_MAX_WORDS:
        # A video with a caption and a standfirst is not article text: say so instead of passing it off.
        result.body, result.body_source = "", "video_only"
    if "published" in meta:
        result.published, result.published_source = meta["published"]
    elif doc is not None and doc.date:
        result.published, result.published_source = parse_datetime(doc.date), "htmldate"
    result.updated = meta.get("updated", (None,))[0]
    if "authors" in meta:
        result.authors = meta["authors"][0]
    elif doc is not None and doc.author:
        result.authors = [a.strip() for a in doc.author.split(";") if a.strip()]
    result.language = _normalise_language(meta.get("language", (None,))[0]) or guess_language(result.body)
    result.is_truncated = bool(meta.get("paywalled")) or _paywall_markers(tree)
    if url is None and doc is not None and doc.url:
        result.url = doc.url
    return result


# ---------------------------------------------------------------- plain text

_DATE_LINE = re.compile(
    r"^(?:[A-Z][a-z]+day,?\s+)?(?:[A-Z][a-z]+\.?\s+\d{1,2},?\s+\d{4}|\d{1,2}\s+[A-Z][a-z]+\.?\s+\d{4}|\d{4}-\d{2}-\d{2})"
    r"(?:[ T,]+\d{1,2}:\d{2}.*)?$"
)


def extract_text(text: str) -> Extracted:
    """A plain-text article: first line the title, an optional date line, then paragraphs."""
    from dateutil import parser as dateparser

    lines = [ln.strip() for ln in text.replace("\r\n", "\n").split("\n")]
    blocks = [ln for ln in lines if ln]
    result = Extracted(body_source="text")
    if not blocks:
        return result
    result.title = blocks.pop(0)
    if blocks and _DATE_LINE.match(blocks[0]):
        try:
            result.published = dateparser.parse(blocks[0]).replace(tzinfo=UTC)
            result.published_source = "text"
            blocks.pop(0)
        except (ValueError, OverflowError):
            pass
    result.body = "\n\n".join(clean_paragraphs(blocks))
    result.language = guess_language(result.body)
    return result
