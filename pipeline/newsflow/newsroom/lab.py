"""The newsroom's fetch lab: endpoints that exercise politeness, conditional GET and failures.

Routes (added beside the outlets' own, which stay byte-for-byte as they were):

| path                                   | what it serves                                               |
|----------------------------------------|--------------------------------------------------------------|
| /robots.txt                            | ``state.robots`` if set (404 otherwise, as before)           |
| /gen/<name>.xml?items=N&every=M        | RSS with the newest N items, one every M minutes from a fixed |
|                                        | anchor (so the bytes change only when an item appears)       |
| /gen/<name>/<k>.html                   | the page of item k                                           |
| /switch/<key>.xml                      | 500 while ``state.switches[key]`` is false, else a gen feed  |
| /flaky/<key>?fail=N&status=S&retry_after=R | S (with Retry-After R) for the key's first N requests, then 200 |
| /moved/<path>                          | 301 to /<path>                                               |
| /home/<site>/                          | a home page with ``<link rel="alternate">`` to its feeds     |
| /bare/ , /bare/rss.xml                 | a home page without feed links; its feed at a common path    |
| /hostile/drip-headers                  | response headers trickled one byte a second                  |
| /hostile/zstd                          | a zstd-encoded body nobody asked for                         |
| /hostile/br-bomb                       | a brotli bomb (200 MB of zeros in a few hundred bytes)        |

Feeds (these and the outlets') carry ``ETag`` and ``Last-Modified`` and answer a matching
conditional GET with 304 (``state.conditional`` turns that off). :func:`start_hosts` serves
one newsroom per loopback address (127.0.0.1, 127.0.0.2, …) for multi-host tests and the benchmark.
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from functools import lru_cache
from html import escape
from typing import TYPE_CHECKING, Any

import brotli

from newsflow.newsroom.content import SITES
from newsflow.newsroom.feeds import FEEDS

if TYPE_CHECKING:
    from newsflow.newsroom.server import NewsroomServer

ANCHOR = datetime(2026, 11, 1, tzinfo=UTC)  # generated items are dated from here, not from the clock
MAX_GEN_ITEMS = 100_000
WORDS = (
    "council",
    "harbor",
    "budget",
    "transit",
    "river",
    "market",
    "storm",
    "school",
    "court",
    "energy",
    "port",
    "rates",
    "festival",
    "library",
    "hospital",
    "museum",
    "bridge",
    "election",
    "housing",
    "farmers",
    "league",
)


def etag_for(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:20] + '"'


def not_modified(request_headers: Any, etag: str, last_modified: datetime) -> bool:
    """Whether a conditional GET may be answered 304 (If-None-Match wins over If-Modified-Since)."""
    inm = request_headers.get("If-None-Match")
    if inm:
        tags = [t.strip().removeprefix("W/") for t in inm.split(",")]
        return "*" in tags or etag in tags
    ims = request_headers.get("If-Modified-Since")
    if ims:
        try:
            since = parsedate_to_datetime(ims)
        except (TypeError, ValueError, IndexError):
            return False
        if since.tzinfo is None:
            since = since.replace(tzinfo=UTC)
        return last_modified.replace(microsecond=0) <= since
    return False


def http_date(when: datetime) -> str:
    return format_datetime(when.astimezone(UTC), usegmt=True)


def _gen_items(clock: datetime, count: int, every: int) -> list[tuple[int, datetime]]:
    """The newest ``count`` items visible at ``clock``: item k is published at ANCHOR + k * every minutes."""
    if clock < ANCHOR:
        return []
    newest = int((clock - ANCHOR).total_seconds() // (every * 60))
    return [(k, ANCHOR + timedelta(minutes=k * every)) for k in range(newest, max(-1, newest - count), -1)]


def _words(seed: str, n: int) -> str:
    digest = hashlib.sha256(seed.encode()).digest()
    return " ".join(WORDS[digest[i % len(digest)] % len(WORDS)] for i in range(n))


def gen_feed(base: str, name: str, clock: datetime, items: int = 20, every: int = 60) -> tuple[bytes, datetime]:
    """``(rss bytes, last-modified)`` of generated feed ``name``."""
    count = max(0, min(items, MAX_GEN_ITEMS))
    every = max(1, every)
    entries = _gen_items(clock, count, every)
    last_modified = entries[0][1] if entries else ANCHOR
    parts = []
    for k, published in entries:
        title = f"{name} story {k}: {_words(f'{name}/{k}', 6)}"
        parts.append(
            f"<item><title>{escape(title)}</title><link>{base}/gen/{name}/{k}.html</link>"
            f'<guid isPermaLink="false">{name}-{k}</guid><pubDate>{format_datetime(published)}</pubDate>'
            f"<description>{escape(_words(f'{name}/{k}/dek', 24))}</description></item>"
        )
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
        f"<title>{escape(name)}</title><link>{base}/gen/{name}/</link><description>Generated feed {escape(name)}"
        f"</description><lastBuildDate>{format_datetime(last_modified)}</lastBuildDate>{''.join(parts)}"
        "</channel></rss>\n"
    )
    return body.encode("utf-8"), last_modified


def gen_page(name: str, k: int, clock: datetime) -> str | None:
    published = ANCHOR + timedelta(minutes=k)
    if k < 0:
        return None
    paragraphs = "".join(f"<p>{escape(_words(f'{name}/{k}/p{i}', 60))}.</p>" for i in range(6))
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{escape(name)} story {k}</title>'
        f'<meta property="article:published_time" content="{published.isoformat()}"></head><body><article>'
        f"<h1>{escape(name)} story {k}</h1>{paragraphs}</article></body></html>"
    )


def home_page(base: str, site: str) -> str | None:
    if site not in SITES:
        return None
    kinds = {
        "rss": "application/rss+xml",
        "rdf": "application/rdf+xml",
        "atom": "application/atom+xml",
        "jsonfeed": "application/feed+json",
    }
    links = "".join(
        f'<link rel="alternate" type="{kinds[kind]}" title="{escape(SITES[s])} ({kind})" href="{path}">'
        for path, (s, kind) in FEEDS.items()
        if s == site and kind in kinds
    )
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{escape(SITES[site])}</title>{links}'
        '<link rel="alternate" hreflang="de" href="/de/"><link rel="stylesheet" href="/static/site.css"></head>'
        f"<body><h1>{escape(SITES[site])}</h1></body></html>"
    )


BARE_HOME = (
    '<!DOCTYPE html><html><head><meta charset="utf-8"><title>A bare site</title></head>'
    "<body><h1>Welcome</h1><p>No feed links here.</p></body></html>"
)


@contextmanager
def running(host: str = "127.0.0.1", **state_kwargs: Any) -> Iterator[NewsroomServer]:
    """A newsroom of its own (state, log, robots.txt) for the duration of a ``with`` block."""
    from newsflow.newsroom.server import NewsroomServer, NewsroomState

    server = NewsroomServer(0, NewsroomState(**state_kwargs), host=host).start_background()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def start_hosts(count: int, **state_kwargs: Any) -> list[NewsroomServer]:
    """``count`` newsrooms, on 127.0.0.1 … 127.0.0.<count> (each its own free port and state)."""
    from newsflow.newsroom.server import NewsroomServer, NewsroomState

    if not 1 <= count <= 250:
        raise ValueError("count must be 1..250 loopback addresses")
    servers = []
    try:
        for i in range(1, count + 1):
            state = NewsroomState(**state_kwargs)
            servers.append(NewsroomServer(0, state, host=f"127.0.0.{i}").start_background())
    except BaseException:
        stop_hosts(servers)
        raise
    return servers


def stop_hosts(servers: list[NewsroomServer]) -> None:
    for server in servers:
        server.shutdown()
        server.server_close()


BOMB_BYTES = 200 * 1024 * 1024


@lru_cache(maxsize=1)
def gzip_bomb() -> bytes:
    """200 MB of zeros as gzip (about 200 KB), built a megabyte at a time so serving it costs no memory."""
    comp = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    block = bytes(1024 * 1024)
    parts = [comp.compress(block) for _ in range(BOMB_BYTES // len(block))]
    return b"".join(parts) + comp.flush()


@lru_cache(maxsize=1)
def brotli_bomb() -> bytes:
    """200 MB of zeros as brotli (a few hundred bytes)."""
    comp = brotli.Compressor(quality=5)
    block = bytes(1024 * 1024)
    parts = [comp.process(block) for _ in range(BOMB_BYTES // len(block))]
    return b"".join(parts) + comp.finish()
