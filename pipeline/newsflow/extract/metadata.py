"""Page metadata with provenance, each field from the most trusted source that has a usable value.

Order of trust, per field (the source name is what lands in ``<field>_source``):

- ``published``: ``jsonld`` (Article ``datePublished``) > ``meta`` (``article:published_time`` and
  kin) > ``time_element`` (``<time itemprop=datePublished>``, ``<article> <time>``) > ``feed`` (the
  entry's date) > ``time_element`` (the page's first ``<time datetime>``, wherever it is) > ``htmldate``
  (a guess from the page text and URL). Each candidate must parse and lie
  between 1990 and ``now``; rejected ones are named in ``warnings`` (see :mod:`.dates`).
- ``updated``: ``jsonld`` (``dateModified``) > ``meta`` (``article:modified_time``, ``og:updated_time``);
  an update before the publication is rejected with a warning.
- ``title``: see :mod:`.titles` (feed > jsonld > og > h1 > html).
- ``authors``: ``jsonld`` > ``meta`` (``author``, ``article:author`` when not a URL) > ``byline`` (the
  page's byline element) > ``feed``; split and cleaned by :mod:`.authors`.
- ``site_name``: ``og:site_name`` > JSON-LD ``publisher.name`` > ``application-name``.
- ``canonical_url``: ``<link rel=canonical>`` > ``og:url`` > JSON-LD ``mainEntityOfPage``/``url``,
  resolved against the page URL, http(s) only.
- ``image``: ``og:image`` > ``twitter:image`` > JSON-LD ``image``.
- ``tags``: ``article:tag`` + JSON-LD ``keywords`` + ``news_keywords``/``keywords`` meta, de-duplicated.
- ``description``: ``og:description`` > ``description`` > ``twitter:description`` > JSON-LD ``description``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

from lxml import etree
from lxml.html import HtmlElement

from newsflow.extract.authors import clean_authors
from newsflow.extract.blocks import norm
from newsflow.extract.dates import first_valid_date
from newsflow.extract.model import FeedHints
from newsflow.extract.structured import PageDeclarations, jsonld_types, names, urls
from newsflow.extract.titles import reconcile_title

MAX_TAGS = 30
_BYLINE_XPATH = etree.XPath("//*[@rel='author' or @itemprop='author' or contains(@class, 'byline')]")
_TIME_XPATH = etree.XPath(
    "//time[@itemprop='datePublished']/@datetime | //*[@itemprop='datePublished']/@content | "
    "//article//time[@datetime]/@datetime | //time[@pubdate]/@datetime"
)
_ANY_TIME_XPATH = etree.XPath("//time[@datetime]/@datetime")  # less trusted than the feed: may date a teaser
_PUBLISHED_METAS = (
    "article:published_time", "og:article:published_time", "datepublished", "article.published",
    "parsely-pub-date", "sailthru.date", "dc.date.issued", "dcterms.issued", "dc.date", "pubdate",
    "publish-date", "publishdate", "date", "citation_publication_date",
)  # fmt: skip
_UPDATED_METAS = ("article:modified_time", "og:updated_time", "datemodified", "dcterms.modified", "last-modified")


@dataclass
class PageMetadata:
    title: str | None = None
    title_source: str | None = None
    title_candidates: list[str] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)
    authors_source: str | None = None
    published: datetime | None = None
    published_source: str | None = None
    updated: datetime | None = None
    updated_source: str | None = None
    site_name: str | None = None
    canonical_url: str | None = None
    image: str | None = None
    tags: list[str] = field(default_factory=list)
    description: str | None = None
    declared_language: str | None = None
    warnings: list[str] = field(default_factory=list)


def _first_str(values: list[Any]) -> str | None:
    for v in values:
        if isinstance(v, list) and v:
            v = v[0]
        if isinstance(v, str) and v.strip():
            return norm(v)
    return None


def _absolute(url: str | None, base: str | None) -> str | None:
    if not url:
        return None
    url = url.strip()
    if base:
        try:
            url = urljoin(base, url)
        except ValueError:
            return None
    return url if urlsplit(url).scheme in ("http", "https") else None


def _site_name(decl: PageDeclarations) -> str | None:
    name = decl.meta("og:site_name")
    if name:
        return name
    for obj in decl.articles:
        publisher = names(obj.get("publisher"))
        if publisher:
            return norm(publisher[0])
    for obj in decl.jsonld:
        if any(t in ("WebSite", "Organization", "NewsMediaOrganization") for t in jsonld_types(obj)) and isinstance(
            obj.get("name"), str
        ):
            return norm(obj["name"])
    return decl.meta("application-name")


def _tags(decl: PageDeclarations) -> list[str]:
    raw: list[str] = list(decl.meta_all("article:tag"))
    for value in decl.article_values("keywords"):
        raw.extend(value if isinstance(value, list) else [value])
    for value in decl.meta_all("news_keywords", "keywords"):
        raw.extend(value.split(","))
    seen: set[str] = set()
    tags: list[str] = []
    for tag in raw:
        if not isinstance(tag, str):
            continue
        for part in tag.split(",") if "," in tag else [tag]:
            part = norm(part)
            if part and len(part) <= 60 and part.casefold() not in seen:
                seen.add(part.casefold())
                tags.append(part)
    return tags[:MAX_TAGS]


def _byline_text(tree: HtmlElement) -> list[str]:
    found: list[str] = []
    for el in _BYLINE_XPATH(tree)[:4]:
        text = norm(el.text_content())
        if text and len(text) <= 120:
            found.append(text)
    return found[:1] if found else []


def _htmldate(tree: HtmlElement, url: str | None) -> str | None:
    from htmldate import find_date

    try:
        return find_date(tree, url=url, original_date=True, extensive_search=False, outputformat="%Y-%m-%dT%H:%M:%S%z")
    except (ValueError, TypeError, AttributeError):
        return None


def read_metadata(
    tree: HtmlElement,
    decl: PageDeclarations,
    url: str | None,
    hints: FeedHints | None,
    now: datetime,
) -> PageMetadata:
    meta = PageMetadata()
    w = meta.warnings

    meta.site_name = _site_name(decl)
    title_candidates: list[tuple[str, str | None]] = [
        ("feed", hints.title if hints else None),
        ("jsonld", _first_str(decl.article_values("headline"))),
        ("og", decl.meta("og:title")),
        ("twitter", decl.meta("twitter:title")),
        *(("h1", h) for h in decl.h1[:3]),
        ("html", decl.html_title),
    ]
    meta.title, meta.title_source = reconcile_title(title_candidates, [meta.site_name], url)
    meta.title_candidates = [norm(t) for _, t in title_candidates if t and norm(t)]

    def published_candidates() -> Iterator[tuple[str, object]]:
        # A generator: the XPath and htmldate (slow on big pages) only run when no earlier source had a date.
        yield from (("jsonld", v) for v in decl.article_values("datePublished"))
        yield from (("meta", v) for v in decl.meta_all(*_PUBLISHED_METAS)[:3])
        yield from (("time_element", v) for v in _TIME_XPATH(tree)[:2])
        yield "feed", hints.published if hints else None
        yield from (("time_element", v) for v in _ANY_TIME_XPATH(tree)[:1])
        yield "htmldate", _htmldate(tree, url)

    meta.published, meta.published_source = first_valid_date("published", published_candidates(), now, w)
    updated_candidates: list[tuple[str, object]] = [
        *(("jsonld", v) for v in decl.article_values("dateModified")),
        *(("meta", v) for v in decl.meta_all(*_UPDATED_METAS)[:2]),
    ]
    meta.updated, meta.updated_source = first_valid_date("updated", updated_candidates, now, w)
    if meta.updated and meta.published and meta.updated < meta.published:
        w.append(f"updated_before_published:{meta.updated_source}:{meta.updated.isoformat()}")
        meta.updated, meta.updated_source = None, None

    author_sources: list[tuple[str, Callable[[], list[str]]]] = [
        ("jsonld", lambda: [n for v in decl.article_values("author") for n in names(v)]),
        ("meta", lambda: decl.meta_all("author", "article:author", "parsely-author", "sailthru.author")),
        ("byline", lambda: _byline_text(tree)),  # an XPath over the whole page: only when needed
        ("feed", lambda: list(hints.authors) if hints else []),
    ]
    for source, read in author_sources:
        cleaned = clean_authors(read(), w)
        if cleaned:
            meta.authors, meta.authors_source = cleaned, source
            break

    meta.canonical_url = _absolute(
        decl.canonical
        or decl.meta("og:url")
        or _first_str([u for v in decl.article_values("mainEntityOfPage") for u in urls(v)])
        or _first_str(decl.article_values("url")),
        url,
    )
    meta.image = _absolute(
        decl.meta("og:image", "og:image:url", "og:image:secure_url", "twitter:image", "twitter:image:src")
        or _first_str([u for v in decl.article_values("image") for u in urls(v)]),
        url,
    )
    meta.tags = _tags(decl)
    meta.description = decl.meta("og:description", "description", "twitter:description") or _first_str(
        decl.article_values("description")
    )
    meta.declared_language = (
        _first_str(decl.article_values("inLanguage")) or decl.html_lang or decl.meta("og:locale", "language")
    )
    return meta
