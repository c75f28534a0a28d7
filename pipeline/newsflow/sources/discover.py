"""Find a site's feeds from its home page, the way feed readers do.

1. The URL itself may already be a feed: then that is the answer.
2. ``<link rel="alternate">`` (and ``rel="feed"``) tags with a feed media type, resolved against
   ``<base href>`` and the final URL after redirects.
3. If the page names none, the paths publishing systems use (``/feed``, ``/rss.xml``,
   ``/atom.xml``, ``/feed.json``, ``/news-sitemap.xml`` …), beside the page and at the site root.

Every candidate is fetched (politely, through the given fetcher) and parsed; only documents that
parse as a feed are returned, in the order above.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import lxml.html
from lxml import etree

from newsflow.fetch.charset import decode_document
from newsflow.fetch.protocol import FEED_ACCEPT, PAGE_ACCEPT, Fetcher, FetchRequest, FetchResult
from newsflow.sources.parse import ParsedFeed, parse_feed

FEED_TYPES = {
    "application/rss+xml": "rss",
    "application/atom+xml": "atom",
    "application/rdf+xml": "rdf",
    "application/feed+json": "jsonfeed",
    "application/json": "jsonfeed",
    "application/xml": "auto",
    "text/xml": "auto",
}
COMMON_PATHS = (
    "feed",
    "feed/",
    "rss",
    "rss.xml",
    "feed.xml",
    "atom.xml",
    "index.xml",
    "feed.json",
    "feeds/posts/default",
    "?feed=rss2",
    "news-sitemap.xml",
    "sitemap_news.xml",
)
MAX_CANDIDATES = 24
GUESS_BATCH = 4


@dataclass(frozen=True)
class DiscoveredFeed:
    url: str
    title: str | None
    kind: str  # the format found: rss, atom, rdf, jsonfeed, sitemap
    source: str  # "self" | "link" | "guess"
    entries: int


def feed_links(html: bytes, page_url: str, content_type: str | None = None) -> list[tuple[str, str | None]]:
    """``(url, title)`` of every feed the page links with ``<link rel="alternate|feed" type=…>``."""
    text = decode_document(html, content_type).text
    if not text.strip():
        return []
    try:
        doc = lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError):
        return []
    base = page_url
    for el in doc.iter("base"):
        href = el.get("href")
        if href:
            base = urljoin(page_url, href.strip())
            break
    found: list[tuple[str, str | None]] = []
    for el in doc.iter("link"):
        rels = {r.lower() for r in (el.get("rel") or "").split()}
        media = (el.get("type") or "").split(";")[0].strip().lower()
        href = (el.get("href") or "").strip()
        if not href or not rels & {"alternate", "feed"}:
            continue
        if media not in FEED_TYPES and not ("feed" in rels and not media):
            continue
        url = urljoin(base, href)
        if url.startswith(("http://", "https://")) and url not in [u for u, _ in found]:
            found.append((url, (el.get("title") or "").strip() or None))
    return found


def guess_urls(page_url: str) -> list[str]:
    """The common feed paths beside ``page_url`` and at its site root, without duplicates."""
    parts = urlsplit(page_url)
    root = f"{parts.scheme}://{parts.netloc}/"
    directory = page_url if parts.path.endswith("/") else urljoin(page_url, ".")
    out: list[str] = []
    for base in dict.fromkeys([directory, root]):
        for path in COMMON_PATHS:
            url = urljoin(base, path)
            if url not in out and url != page_url:
                out.append(url)
    return out


def _as_feed(result: FetchResult, max_items: int) -> ParsedFeed | None:
    if not result.ok:
        return None
    parsed = parse_feed(result.read_body(), result.final_url or result.url, result.content_type, max_items)
    if parsed.error_class or not (parsed.entries or parsed.children):
        return None
    return parsed


def _kind(parsed: ParsedFeed) -> str:
    fmt = parsed.format or ""
    if fmt.startswith("atom"):
        return "atom"
    if fmt.startswith("json"):
        return "jsonfeed"
    if fmt == "rss10":
        return "rdf"
    if fmt.startswith("sitemap"):
        return "sitemap"
    return "rss"


def discover_feeds(url: str, fetcher: Fetcher, *, guess: bool = True, max_items: int = 100) -> list[DiscoveredFeed]:
    """The feeds ``url`` is or points to, verified by fetching and parsing each candidate."""
    (page,) = fetcher.fetch_many([FetchRequest(url, kind="page", accept=f"{PAGE_ACCEPT}, {FEED_ACCEPT}")])
    if not page.ok:
        raise LookupError(f"cannot fetch {url}: {page.error_class}: {page.error}")
    itself = _as_feed(page, max_items)
    if itself is not None:
        return [DiscoveredFeed(page.final_url or url, None, _kind(itself), "self", len(itself.entries))]
    base = page.final_url or url
    linked = feed_links(page.read_body(), base, page.content_type)[:MAX_CANDIDATES]
    if linked:
        return _verify([(u, t, "link") for u, t in linked], fetcher, max_items)
    if not guess:
        return []
    # Guesses are tried a few at a time and stop at the first hit: each costs the publisher a request.
    guesses = guess_urls(base)[:MAX_CANDIDATES]
    for start in range(0, len(guesses), GUESS_BATCH):
        found = _verify([(u, None, "guess") for u in guesses[start : start + GUESS_BATCH]], fetcher, max_items)
        if found:
            return found
    return []


def _verify(
    candidates: Sequence[tuple[str, str | None, str]], fetcher: Fetcher, max_items: int
) -> list[DiscoveredFeed]:
    if not candidates:
        return []
    results = fetcher.fetch_many([FetchRequest(u, kind="feed", accept=FEED_ACCEPT) for u, _, _ in candidates])
    found: list[DiscoveredFeed] = []
    seen: set[str] = set()
    for (url, title, source), result in zip(candidates, results, strict=True):
        parsed = _as_feed(result, max_items)
        final = result.final_url or url
        if parsed is None or final in seen:
            continue
        seen.add(final)
        found.append(DiscoveredFeed(url, title, _kind(parsed), source, len(parsed.entries)))
    return found
