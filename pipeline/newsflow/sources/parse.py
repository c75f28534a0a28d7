"""Turn a feed document (RSS 0.9x/1.0/2.0, Atom, JSON Feed, news sitemap) into entries.

Never raises on bad input: a document we cannot use comes back with ``error_class`` set and
whatever entries could be salvaged. Hostile documents are defused before any parser sees them:

- XML is first read by lxml with internal entities only, no DTD loading, no network and
  libxml2's amplification limits, so billion-laughs and quadratic-blowup entities are refused
  and external entities are never resolved. A well-formed document with an internal DTD,
  a non-UTF-8 encoding or more than ``max_items`` entries is handed to feedparser re-serialised
  as plain UTF-8 with the extra entries removed; an ill-formed one (feedparser's loose parser
  salvages those) first loses every entity declaration but tiny literal ones, and everything
  after its ``max_items``-th entry, so neither its size nor its entities can make parsing hang.
- JSON Feed: any Unicode encoding (BOM or not), items capped, nesting-depth errors caught.
- Sitemaps: lxml with entities and DTDs off, ``<url>`` elements capped.

Control characters are removed from every entry field; relative links are resolved against
``xml:base`` (feedparser) or the document's URL.
"""

from __future__ import annotations

import calendar
import itertools
import json
import logging
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urljoin

import feedparser
from dateutil import parser as dateutil_parser
from feedparser.datetimes import _parse_date as feedparser_parse_date
from lxml import etree

from newsflow.fetch.charset import detect_encoding
from newsflow.fetch.decode import BodyDecoder, DecodeError

log = logging.getLogger("newsflow.sources")

DEFAULT_MAX_ITEMS = 1000  # FetchSettings.max_items (NEWSFLOW_MAX_ITEMS) is what the pipeline passes

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
    # When the feed says the entry last changed (Atom/RSS updated, JSON Feed date_modified, sitemap
    # lastmod): a known article is downloaded again only when this moves past its last download.
    updated: datetime | None = None


@dataclass
class ParsedFeed:
    format: str | None
    entries: list[Entry] = field(default_factory=list)
    children: list[str] = field(default_factory=list)  # sitemap index -> child sitemaps
    error_class: str | None = None
    error: str | None = None
    total_entries: int = 0  # entries (or sitemap URLs) the document held, before the items cap
    truncated: int = 0  # entries dropped by the items cap


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


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _clean(text: object) -> str | None:
    """A text field without control characters (they break CSV/JSON consumers and mean nothing)."""
    if not isinstance(text, str):
        return None
    cleaned = _CONTROL.sub("", text)
    return cleaned or None


def _absolute(base: str, link: str) -> str:
    """``link`` resolved against ``base``; a link too broken to resolve is kept as is (the caller
    records it as an invalid link rather than losing the whole feed)."""
    if not base:
        return link
    try:
        return urljoin(base, link)
    except ValueError:
        return link


def _is_web_url(value: object) -> bool:
    return isinstance(value, str) and value.strip().lower().startswith(("http://", "https://"))


def _head_text(data: bytes, size: int = 4096) -> str:
    """The document's start as text, whatever its Unicode encoding, for sniffing the format."""
    codec, _ = detect_encoding(data[:size])
    return data[:size].decode(codec, errors="replace").lstrip("\ufeff \t\r\n")


MAX_GUNZIP = 64 * 1024 * 1024


def _gunzip(data: bytes) -> bytes | None:
    """The decompressed document, or None past ``MAX_GUNZIP``: decoded lazily in bounded pieces, so a
    gzip bomb stops at the limit. Raises :class:`DecodeError` for corrupt data."""
    decoder = BodyDecoder("gzip")
    out: list[bytes] = []
    size = 0
    for piece in itertools.chain(decoder.feed(data), decoder.flush()):
        size += len(piece)
        if size > MAX_GUNZIP:
            return None
        out.append(piece)
    return b"".join(out)


def _sniff(data: bytes) -> str:
    head = _head_text(data)
    if head.startswith("{"):
        return "json"
    lowered = head[:2048].lower()
    if "<urlset" in lowered or "<sitemapindex" in lowered:
        return "sitemap"
    return "xml"


def parse_feed(
    data: bytes, url: str = "", content_type: str | None = None, max_items: int | None = DEFAULT_MAX_ITEMS
) -> ParsedFeed:
    """Parse any supported feed document. ``url`` resolves relative links; ``content_type`` is the
    server's header, whose charset feedparser weighs against the XML declaration. At most
    ``max_items`` entries are returned (None: all); ``total_entries``/``truncated`` say what was cut."""
    if not data or not data.strip():
        return ParsedFeed(format=None, error_class="empty_document", error=f"empty response body from {url}")
    cap = max_items if max_items is not None and max_items > 0 else None
    try:
        if data[:2] == b"\x1f\x8b":  # sitemap.xml.gz and friends, served as a file, not Content-Encoding
            try:
                unzipped = _gunzip(data)
            except DecodeError as exc:
                return ParsedFeed(format=None, error_class="malformed_feed", error=f"{exc} ({url or 'document'})")
            if unzipped is None:
                error = f"gzipped document from {url or 'file'} decodes to over {MAX_GUNZIP} bytes"
                return ParsedFeed(format=None, error_class="too_large", error=error)
            data = unzipped
        kind = _sniff(data)
        if kind == "json":
            result = _parse_jsonfeed(data, url, cap)
        elif kind == "sitemap":
            result = _parse_sitemap(data, url, cap)
        else:
            result = _parse_xml_feed(data, url, content_type, cap)
    except Exception as exc:  # noqa: BLE001 - any parser failure is a recorded error, never a crash
        return ParsedFeed(format=None, error_class="parse_error", error=f"{type(exc).__name__}: {exc}")
    if result.truncated:
        log.warning(
            "feed %s holds %d entries; kept the first %d (NEWSFLOW_MAX_ITEMS)",
            url or "(document)",
            result.total_entries,
            len(result.entries),
        )
    return result


# ------------------------------------------------------------------ RSS / Atom

_SAFE_TREE = dict(resolve_entities="internal", no_network=True, load_dtd=False, huge_tree=False, recover=False)
_REFUSED_ENTITIES = ("amplification", "entity reference loop", "entity loop")
ENTRY_TAGS = ("item", "entry")
MAX_LITERAL_ENTITY = 16  # bytes of replacement text an entity of an ill-formed document may keep


def _entry_elements(root: etree._Element) -> list[etree._Element]:
    """Item/entry elements of RSS 0.9x/2.0 (in channel), RSS 1.0 (beside channel) and Atom (in feed)."""
    found: list[etree._Element] = []
    for parent in (root, *[c for c in root if isinstance(c.tag, str) and etree.QName(c).localname == "channel"]):
        found.extend(
            child for child in parent if isinstance(child.tag, str) and etree.QName(child).localname in ENTRY_TAGS
        )
    return found


def _prepare_xml(data: bytes, cap: int | None) -> tuple[bytes, bool, int, int, str | None]:
    """``(document for feedparser, re-serialised as UTF-8?, entries, dropped, refusal)``.

    ``refusal`` is set when libxml2 refused the document's entities: it is not parsed further.
    """
    try:
        root = etree.fromstring(data, parser=etree.XMLParser(**_SAFE_TREE))
    except etree.XMLSyntaxError as exc:
        message = str(exc)
        if any(marker in message.lower() for marker in _REFUSED_ENTITIES):
            return b"", False, 0, 0, message
        return _defuse_ill_formed(data, cap)
    entries = _entry_elements(root)
    dropped = 0
    if cap is not None and len(entries) > cap:
        for extra in entries[cap:]:
            extra.getparent().remove(extra)
        dropped = len(entries) - cap
    tree = root.getroottree()
    has_dtd = tree.docinfo.internalDTD is not None
    encoding = (tree.docinfo.encoding or "utf-8").lower().replace("_", "-")
    if not (dropped or has_dtd or encoding not in ("utf-8", "us-ascii", "ascii")):
        return data, False, len(entries), 0, None
    out = etree.tostring(root, encoding="utf-8", xml_declaration=True)
    return out, True, len(entries), dropped, None


def _doctype_span(data: bytes) -> tuple[int, int] | None:
    """Where the DOCTYPE declaration (internal subset included) starts and ends, scanning linearly."""
    first_element = re.search(rb"<[A-Za-z_]", data[:1_000_000])
    limit = first_element.start() if first_element else min(len(data), 1_000_000)
    start = data.find(b"<!DOCTYPE", 0, limit)
    if start < 0:
        return None
    i, depth, quote = start + 9, 0, 0
    while i < len(data):
        c = data[i]
        if quote:
            if c == quote:
                quote = 0
        elif c in (0x22, 0x27):  # " '
            quote = c
        elif c == 0x5B:  # [
            depth += 1
        elif c == 0x5D:  # ]
            depth = max(0, depth - 1)
        elif c == 0x3E and depth == 0:  # >
            return start, i + 1
        i += 1
    return start, len(data)


_ENTITY_DECL = re.compile(rb"""<!ENTITY\s+([A-Za-z_][\w.-]*)\s+(["'])(.*?)\2\s*>""", re.S)


def _defuse_ill_formed(data: bytes, cap: int | None) -> tuple[bytes, bool, int, int, str | None]:
    """For feedparser's loose parser: keep only tiny literal entities; cut after the cap-th entry."""
    span = _doctype_span(data)
    if span is not None:
        start, end = span
        declaration = data[start:end]
        name = re.match(rb"<!DOCTYPE\s+([\w:.-]+)", declaration)
        keep = [
            m.group(0)
            for m in _ENTITY_DECL.finditer(declaration)
            if len(m.group(3)) <= MAX_LITERAL_ENTITY
            and b"%" not in m.group(3)
            and (b"&" not in m.group(3) or re.fullmatch(rb"&#x?[0-9A-Fa-f]+;", m.group(3)))
        ]
        replacement = b""
        if name and keep:
            replacement = b"<!DOCTYPE " + name.group(1) + b" [" + b"".join(keep) + b"]>"
        data = data[:start] + replacement + data[end:]
    total = 0
    dropped = 0
    if cap is not None:
        closes = list(re.finditer(rb"</(?:[\w.-]+:)?(?:item|entry)\s*>", data, re.I))
        total = len(closes)
        if total > cap:
            data = data[: closes[cap - 1].end()]
            dropped = total - cap
    return data, False, total, dropped, None


def _parse_xml_feed(data: bytes, url: str, content_type: str | None, cap: int | None) -> ParsedFeed:
    prepared, reserialised, total, dropped, refusal = _prepare_xml(data, cap)
    if refusal is not None:
        return ParsedFeed(format=None, error_class="malformed_feed", error=f"entity expansion refused: {refusal}")
    # Without a content type feedparser flags every document as bozo ("no Content-type specified").
    ctype = "application/xml; charset=utf-8" if reserialised else (content_type or "application/xml")
    headers = {"content-type": ctype}
    if url:
        headers["content-location"] = url
    parsed = feedparser.parse(
        prepared,
        response_headers=headers,
        sanitize_html=False,
        resolve_relative_uris=True,
    )
    version = parsed.get("version") or None
    entries: list[Entry] = []
    for e in parsed.entries:
        link = e.get("link")
        if e.get("guidislink") and not _is_web_url(link):
            link = None  # feedparser used a guid that is not a URL ("abc-123", "tag:…") as the link
        if not link:
            for alt in e.get("links", []):
                if alt.get("href") and alt.get("rel", "alternate") == "alternate":
                    link = alt["href"]
                    break
        if not link and _is_web_url(e.get("id")):
            link = e["id"]  # an entry whose only URL is its id (Atom ids are often permalinks)
        link = _clean(link)
        if not link or not link.strip():
            continue
        content = None
        if e.get("content"):
            content = e["content"][0].get("value")
        entries.append(
            Entry(
                link=_absolute(url, link.strip()),
                title=_clean(e.get("title")),
                published=_real_date(_struct_to_dt(e.get("published_parsed") or e.get("updated_parsed"))),
                id=_clean(e.get("id")),
                summary=_clean(e.get("summary")),
                content=_clean(content),
                # dict.get: feedparser's own .get maps a missing updated_parsed to published_parsed
                updated=_real_date(_struct_to_dt(dict.get(e, "updated_parsed"))),
            )
        )
    if cap is not None and len(entries) > cap:  # an ill-formed document whose entries we could not count
        dropped += len(entries) - cap
        entries = entries[:cap]
    result = ParsedFeed(
        format=version, entries=entries, total_entries=max(total, len(entries) + dropped), truncated=dropped
    )
    if not version and not entries:
        result.error_class = "not_a_feed"
        bozo = parsed.get("bozo_exception")
        result.error = "document is not RSS, Atom, JSON Feed or a sitemap" + (f" ({bozo})" if bozo else "")
    elif parsed.get("bozo") and not entries:
        result.error_class = "malformed_feed"
        result.error = f"malformed feed with no usable entries: {parsed.get('bozo_exception')}"
    return result


# ------------------------------------------------------------------ JSON Feed


def _parse_jsonfeed(data: bytes, url: str = "", cap: int | None = None) -> ParsedFeed:
    try:
        doc = json.loads(data)  # bytes: UTF-8/16/32 with or without BOM are detected (RFC 8259)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        return ParsedFeed(format="json", error_class="malformed_feed", error=f"invalid JSON: {exc}")
    if not isinstance(doc, dict) or "jsonfeed.org/version" not in str(doc.get("version", "")):
        return ParsedFeed(format=None, error_class="not_a_feed", error="JSON document is not a JSON Feed")
    version = "json" + str(doc["version"]).rstrip("/").rsplit("/", 1)[-1].replace(".", "")
    items = doc.get("items")
    items = items if isinstance(items, list) else []
    home = doc.get("home_page_url")
    base = url or (home if isinstance(home, str) else "")
    entries = []
    kept_items = 0
    for item in items:
        if not isinstance(item, dict):
            continue
        raw_link = item.get("url") or item.get("external_url")
        link = _clean(raw_link.strip()) if isinstance(raw_link, str) else None
        if not link:
            continue
        if cap is not None and kept_items >= cap:
            kept_items += 1
            continue
        kept_items += 1
        content = item.get("content_html") or item.get("content_text")
        entries.append(
            Entry(
                link=_absolute(base, link),
                title=_clean(item.get("title")),
                published=parse_datetime(item.get("date_published") or item.get("date_modified")),
                id=_clean(str(item["id"])) if item.get("id") is not None else None,
                summary=_clean(item.get("summary")),
                content=_clean(content),
                updated=parse_datetime(item.get("date_modified")),
            )
        )
    return ParsedFeed(format=version, entries=entries, total_entries=kept_items, truncated=kept_items - len(entries))


# ------------------------------------------------------------------ sitemaps

_SAFE_XML = dict(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, recover=False)


def _parse_sitemap(data: bytes, url: str = "", cap: int | None = None) -> ParsedFeed:
    try:
        root = etree.fromstring(data, parser=etree.XMLParser(**_SAFE_XML))
    except etree.XMLSyntaxError as exc:
        return ParsedFeed(format="sitemap", error_class="malformed_feed", error=f"invalid sitemap XML: {exc}")
    local = etree.QName(root).localname
    if local == "sitemapindex":
        children = [
            _absolute(url, text) for text in (_clean((el.text or "").strip()) for el in root.iter("{*}loc")) if text
        ]
        return ParsedFeed(format="sitemapindex", children=children, total_entries=len(children))
    entries: list[Entry] = []
    total = 0
    for url_el in root.iter("{*}url"):
        if cap is not None and len(entries) >= cap:
            total += 1  # past the cap only count (an approximation: empty <loc> elements count too)
            continue
        loc = _clean((url_el.findtext("{*}loc") or "").strip())
        if not loc:
            continue
        total += 1
        link = _absolute(url, loc)
        title = _clean(url_el.findtext(".//{*}news/{*}title"))
        lastmod = url_el.findtext("{*}lastmod")
        date = url_el.findtext(".//{*}news/{*}publication_date") or lastmod
        entries.append(
            Entry(link=link, title=title, published=parse_datetime(date), id=link, updated=parse_datetime(lastmod))
        )
    return ParsedFeed(format="sitemap", entries=entries, total_entries=total, truncated=total - len(entries))
