"""OPML import and export: how feed lists move between readers, aggregators and us.

Import reads every ``<outline>`` with an ``xmlUrl`` (at any depth; the titles of enclosing
outlines become tags, as readers use folders for categories). Export writes OPML 2.0 with one
outline per feed, its tags as ``category``. Parsing is lxml with entities, DTDs and network off.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from urllib.parse import urlsplit

from lxml import etree

from newsflow.sources.registry import FeedSpec, default_site, unique_name

_SAFE_XML = dict(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, recover=True)


class OpmlError(ValueError):
    """The document is not OPML we can read."""


@dataclass(frozen=True)
class OpmlFeed:
    url: str
    title: str | None = None
    site_url: str | None = None
    tags: tuple[str, ...] = ()


def _attr(el: etree._Element, name: str) -> str | None:
    """An attribute by case-insensitive name (``xmlUrl``, ``xmlurl`` and ``XMLURL`` all occur)."""
    for key, value in el.attrib.items():
        if str(key).lower() == name.lower() and str(value).strip():
            return str(value).strip()
    return None


def read_opml(data: bytes) -> list[OpmlFeed]:
    """Every feed outline in the document, in order, without duplicates (by URL)."""
    try:
        root = etree.fromstring(data, parser=etree.XMLParser(**_SAFE_XML))
    except etree.XMLSyntaxError as exc:
        raise OpmlError(f"not XML: {exc}") from exc
    if root is None or etree.QName(root).localname.lower() != "opml":
        raise OpmlError("not an OPML document (the root element is not <opml>)")
    feeds: list[OpmlFeed] = []
    seen: set[str] = set()
    for outline in root.iter("{*}outline"):
        url = _attr(outline, "xmlUrl")
        if not url or not url.lower().startswith(("http://", "https://")) or url in seen:
            continue
        seen.add(url)
        folders = [
            label
            for ancestor in outline.iterancestors()
            if isinstance(ancestor.tag, str) and etree.QName(ancestor).localname.lower() == "outline"
            for label in [_attr(ancestor, "title") or _attr(ancestor, "text")]
            if label
        ]
        category = _attr(outline, "category") or ""
        categories = [c.strip().strip("/") for c in category.split(",") if c.strip().strip("/")]
        tags = [*reversed(folders), *categories]
        feeds.append(
            OpmlFeed(
                url=url,
                title=_attr(outline, "title") or _attr(outline, "text"),
                site_url=_attr(outline, "htmlUrl"),
                tags=tuple(dict.fromkeys(tags)),
            )
        )
    return feeds


def slug(text: str) -> str:
    """A feed name from a title or URL: lower-case words joined by hyphens."""
    words = re.findall(r"[a-z0-9]+", text.lower())
    return "-".join(words)[:60].strip("-") or "feed"


def to_specs(feeds: Sequence[OpmlFeed], taken: set[str]) -> list[FeedSpec]:
    """Registry entries for imported feeds, with names unique against ``taken`` (which is updated)."""
    specs = []
    for feed in feeds:
        parts = urlsplit(feed.url)
        name = unique_name(slug(feed.title or f"{parts.hostname}{parts.path}"), taken)
        taken.add(name)
        site = default_site(feed.site_url) if feed.site_url else default_site(feed.url)
        specs.append(FeedSpec(name=name, url=feed.url, site=site, tags=feed.tags))
    return specs


def write_opml(feeds: Sequence[FeedSpec], title: str = "newsflow feeds", now: datetime | None = None) -> bytes:
    """OPML 2.0 listing ``feeds`` (disabled ones included, marked ``isDisabled``)."""
    root = etree.Element("opml", version="2.0")
    head = etree.SubElement(root, "head")
    etree.SubElement(head, "title").text = title
    etree.SubElement(head, "dateCreated").text = format_datetime(now or datetime.now(UTC), usegmt=True)
    body = etree.SubElement(root, "body")
    for feed in feeds:
        outline = etree.SubElement(body, "outline", type="rss", text=feed.name, title=feed.name, xmlUrl=feed.url)
        if feed.site.startswith(("http://", "https://")):
            outline.set("htmlUrl", feed.site)
        if feed.tags:
            outline.set("category", ",".join(feed.tags))
        if not feed.enabled:
            outline.set("isDisabled", "true")
    return etree.tostring(root, encoding="utf-8", xml_declaration=True, pretty_print=True)
