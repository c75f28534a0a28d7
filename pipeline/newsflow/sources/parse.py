"""Turn a feed document (RSS 0.9x/1.0/2.0, Atom, JSON Feed, news sitemap) into entries.

Never raises on bad input: a document we cannot use comes back with ``error_class`` set and
whatever entries could be salvaged. XML sitemaps are parsed with entity resolution, DTD loading
and network access off; RSS/Atom go through feedparser, whose SAX parser has external entities off.
"""

from __future__ import annotations

import calendar
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urljoin

import feedparser
from dateutil import parser as dateutil_parser
from feedparser.datetimes import _parse_date as feedparser_parse_date
from lxml import etree

# Zone abbreviations news sites print; dateutil does not guess them (offsets in seconds).
_TZINFOS = {
    name: hours * 3600
    for name, hours in {
        "UTC": 0,
        "GMT": 0,
        "Z": 0,
        "BST": 1,
        "CET": 1,
        "CEST": 2,
        "EET": 2,
        "EEST": 3,
        "MSK": 3,
        "IST": 5.5,
        "JST": 9,
        "KST": 9,
        "AEST": 10,
        "AEDT": 11,
        "EST": -5,
        "EDT": -4,
        "CST": -6,
        "CDT": -5,
        "MST": -7,
        "MDT": -6,
        "PST": -8,
        "PDT": -7,
        "ET": -5,
        "PT": -8,
    }.items()
}


@dataclass
class Entry:
    link: str
    title: str | None = None
    published: datetime | None = None
    id: str | None = None
    summary: str | None = None
    content: str | None = None


@dataclass
class ParsedFeed:
    format: str | None
    entries: list[Entry] = field(default_factory=list)
    children: list[str] = field(default_factory=list)  # sitemap index -> child sitemaps
    error_class: str | None = None
    error: str | None = None


EARLIEST_YEAR = 1900  # earlier dates in news metadata are placeholders ("0001-01-01"), not history
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)  # another placeholder: a zero timestamp


def _real_date(dt: datetime | None) -> datetime | None:
    if dt is None or dt.year < EARLIEST_YEAR or dt == EPOCH:
        return None
    return dt


def parse_datetime(value: object) -> datetime | None:
    """ISO-8601/RFC 3339 (with ``Z``), RFC 822 or a bare date, as an aware UTC datetime.

    None if unparseable or a placeholder (year < 1900, the Unix epoch), so that a later metadata
    source can supply the real date.
    """
    if not value or not isinstance(value, str):
        return None
    text = value.strip()[:100]
    try:
        dt = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        parsed = feedparser_parse_date(text)  # RFC 822 and many other feed date dialects
        if parsed is not None:
            return _real_date(_struct_to_dt(parsed))
        try:
            dt = dateutil_parser.parse(text, tzinfos=_TZINFOS)
        except (ValueError, OverflowError, TypeError):
            return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    try:
        return _real_date(dt.astimezone(UTC))
    except OverflowError:
        return None


def _struct_to_dt(value: object) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(value), UTC)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        return None


def _sniff(data: bytes) -> str:
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"{"):
        return "json"
    lowered = head.lower()
    if b"<urlset" in lowered or b"<sitemapindex" in lowered:
        return "sitemap"
    return "xml"


def parse_feed(data: bytes, url: str = "", content_type: str | None = None) -> ParsedFeed:
    """Parse any supported feed document. ``url`` resolves relative links; ``content_type`` is the
    server's header, whose charset feedparser weighs against the XML declaration."""
    if not data or not data.strip():
        return ParsedFeed(format=None, error_class="empty_document", error=f"empty response body from {url}")
    try:
        kind = _sniff(data)
        if kind == "json":
            return _parse_jsonfeed(data, url)
        if kind == "sitemap":
            return _parse_sitemap(data)
        return _parse_xml_feed(data, url, content_type)
    except Exception as exc:  # noqa: BLE001 - any parser failure is a recorded error, never a crash
        return ParsedFeed(format=None, error_class="parse_error", error=f"{type(exc).__name__}: {exc}")


def _parse_xml_feed(data: bytes, url: str, content_type: str | None) -> ParsedFeed:
    # Without a content type feedparser flags every document as bozo ("no Content-type specified").
    headers = {"content-type": content_type or "application/xml"}
    if url:
        headers["content-location"] = url
    parsed = feedparser.parse(
        data,
        response_headers=headers,
        sanitize_html=False,
        resolve_relative_uris=True,
    )
    version = parsed.get("version") or None
    entries: list[Entry] = []
    for e in parsed.entries:
        link = e.get("link")
        if not link:
            for alt in e.get("links", []):
                if alt.get("href") and alt.get("rel", "alternate") == "alternate":
                    link = alt["href"]
                    break
        if not link:
            continue
        content = None
        if e.get("content"):
            content = e["content"][0].get("value")
        entries.append(
            Entry(
                link=link.strip(),
                title=(e.get("title") or None),
                published=_real_date(_struct_to_dt(e.get("published_parsed") or e.get("updated_parsed"))),
                id=e.get("id") or None,
                summary=e.get("summary") or None,
                content=content,
            )
        )
    result = ParsedFeed(format=version, entries=entries)
    if not version and not entries:
        result.error_class = "not_a_feed"
        bozo = parsed.get("bozo_exception")
        result.error = "document is not RSS, Atom, JSON Feed or a sitemap" + (f" ({bozo})" if bozo else "")
    elif parsed.get("bozo") and not entries:
        result.error_class = "malformed_feed"
        result.error = f"malformed feed with no usable entries: {parsed.get('bozo_exception')}"
    return result


def _parse_jsonfeed(data: bytes, url: str = "") -> ParsedFeed:
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return ParsedFeed(format="json", error_class="malformed_feed", error=f"invalid JSON: {exc}")
    if not isinstance(doc, dict) or "jsonfeed.org/version" not in str(doc.get("version", "")):
        return ParsedFeed(format=None, error_class="not_a_feed", error="JSON document is not a JSON Feed")
    version = "json" + str(doc["version"]).rstrip("/").rsplit("/", 1)[-1].replace(".", "")
    entries = []
    for item in doc.get("items") or []:
        if not isinstance(item, dict):
            continue
        link = item.get("url") or item.get("external_url")
        if not link or not isinstance(link, str):
            continue
        entries.append(
            Entry(
                link=urljoin(url, link.strip()) if url else link.strip(),
                title=item.get("title") if isinstance(item.get("title"), str) else None,
                published=parse_datetime(item.get("date_published") or item.get("date_modified")),
                id=str(item["id"]) if item.get("id") is not None else None,
                summary=item.get("summary") if isinstance(item.get("summary"), str) else None,
                content=item.get("content_html") or item.get("content_text"),
            )
        )
    return ParsedFeed(format=version, entries=entries)


_SAFE_XML = dict(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, recover=False)


def _parse_sitemap(data: bytes) -> ParsedFeed:
    try:
        root = etree.fromstring(data, parser=etree.XMLParser(**_SAFE_XML))
    except etree.XMLSyntaxError as exc:
        return ParsedFeed(format="sitemap", error_class="malformed_feed", error=f"invalid sitemap XML: {exc}")
    local = etree.QName(root).localname
    if local == "sitemapindex":
        children = [el.text.strip() for el in root.iter("{*}loc") if el.text]
        return ParsedFeed(format="sitemapindex", children=children)
    entries = []
    for url_el in root.iter("{*}url"):
        loc = url_el.findtext("{*}loc")
        if not loc:
            continue
        title = url_el.findtext(".//{*}news/{*}title")
        date = url_el.findtext(".//{*}news/{*}publication_date") or url_el.findtext("{*}lastmod")
        entries.append(Entry(link=loc.strip(), title=title, published=parse_datetime(date), id=loc.strip()))
    return ParsedFeed(format="sitemap", entries=entries)
