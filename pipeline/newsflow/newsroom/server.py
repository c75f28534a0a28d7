"""The newsroom's HTTP server, with knobs for latency, errors and hostile responses.

Routes:
- feeds (see :mod:`newsflow.newsroom.feeds`) and article pages ``/<site>/<section>/<slug>``;
  a ``gone`` article answers 404, a ``slow`` one answers after ``slow_seconds``.
- ``/_newsroom/clock`` shows the clock; ``/_newsroom/clock?set=2026-11-25T10:00`` moves it.
- ``/_newsroom/revise?path=/<site>/<section>/<slug>&text=…``: the publisher updates an article: from
  now on its page carries ``text`` as a last paragraph and says it was modified at the clock.
- ``/_newsroom/feeds.yaml``: a feed registry pointing at this server.
- ``/errors/<status>[?retry_after=N]``: that HTTP status.
- ``/hostile/…``: redirect-loop, redirect-private, huge (50 MB), drip (a byte a second),
  gzip-bomb, malformed.xml, html-as-feed.xml, empty.xml, cp1252-as-utf8.xml, bad-links.xml,
  billion-laughs.xml, xxe.xml (and the fetch lab's drip-headers, zstd, br-bomb).
- the fetch lab (:mod:`newsflow.newsroom.lab`): robots.txt, generated feeds, flaky and moved
  URLs, home pages for feed discovery; feeds answer conditional GETs with 304.
Every request is logged in ``state.log`` (arrival time, host, path, headers) for pacing tests.
Only ever binds to loopback (any 127.0.0.0/8 address, or ::1).
"""

from __future__ import annotations

import ipaddress
import logging
import random
import socket
import sys
import threading
import time
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from newsflow.newsroom import lab
from newsflow.newsroom.content import by_path
from newsflow.newsroom.feeds import feeds_yaml, render_feed
from newsflow.newsroom.pages import render_page

log = logging.getLogger("newsflow.newsroom")


def current_hour() -> datetime:
    return datetime.now(UTC).replace(minute=0, second=0, microsecond=0)


@dataclass(frozen=True)
class RequestRecord:
    """One request as the newsroom saw it arrive (before any latency it adds)."""

    at: float  # time.monotonic()
    host: str  # the server's own address, ip:port
    path: str  # path and query
    headers: dict[str, str] = field(default_factory=dict)


class NewsroomState:
    def __init__(
        self,
        clock: datetime | None = None,
        latency_ms: int = 0,
        slow_seconds: float = 3.0,
        *,
        latency_jitter_ms: int = 0,
        robots: str | None = None,
        conditional: bool = True,
        keep_log: bool = True,
    ) -> None:
        self.clock = (clock or current_hour()).astimezone(UTC)
        self.latency_ms = latency_ms
        self.latency_jitter_ms = latency_jitter_ms  # each response waits latency_ms ± this (uniform)
        self.slow_seconds = slow_seconds
        self.robots = robots  # served at /robots.txt when set
        self.robots_status = 200  # set e.g. 503 to make /robots.txt fail
        self.conditional = conditional  # answer If-None-Match / If-Modified-Since on feeds with 304
        self.keep_log = keep_log
        self.switches: dict[str, bool] = {}  # /switch/<key>.xml serves a feed only while on
        self.counters: dict[str, int] = {}  # /flaky/<key> requests so far
        self.revisions: dict[str, tuple[str, ...]] = {}  # article path -> paragraphs added by updates
        self.log: list[RequestRecord] = []
        self.requests = 0
        self.lock = threading.Lock()
        self._rng = random.Random(latency_ms * 7919 + latency_jitter_ms)

    def latency(self) -> float:
        if not self.latency_ms and not self.latency_jitter_ms:
            return 0.0
        with self.lock:
            jitter = self._rng.uniform(-self.latency_jitter_ms, self.latency_jitter_ms)
        return max(0.0, self.latency_ms + jitter) / 1000


class _Handler(BaseHTTPRequestHandler):
    server_version = "newsroom/1.0"
    protocol_version = "HTTP/1.1"

    @property
    def state(self) -> NewsroomState:
        return self.server.state  # type: ignore[attr-defined]

    def log_message(self, fmt: str, *args: object) -> None:
        log.debug("%s " + fmt, self.address_string(), *args)

    def _send(
        self,
        status: int,
        body: bytes | str,
        content_type: str = "text/html; charset=utf-8",
        headers: dict | None = None,
    ) -> None:
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def do_HEAD(self) -> None:  # noqa: N802
        self.do_GET()

    def do_GET(self) -> None:  # noqa: N802
        arrived = time.monotonic()
        address: tuple[Any, ...] = tuple(self.server.server_address)  # type: ignore[arg-type]
        host, port = str(address[0]), int(address[1])
        with self.state.lock:
            self.state.requests += 1
            if self.state.keep_log:
                self.state.log.append(RequestRecord(arrived, f"{host}:{port}", self.path, dict(self.headers.items())))
        delay = self.state.latency()
        if delay:
            time.sleep(delay)
        parts = urlsplit(self.path)
        path, query = parts.path, parse_qs(parts.query)
        base = f"http://{self.headers.get('Host') or f'{host}:{port}'}"
        try:
            if path.startswith("/_newsroom/"):
                return self._control(path, query, base)
            if path.startswith("/errors/"):
                return self._error(path, query)
            if path.startswith("/hostile/"):
                return self._hostile(path, base)
            if path == "/robots.txt" and self.state.robots is not None:
                return self._send(self.state.robots_status, self.state.robots, "text/plain; charset=utf-8")
            if path.startswith(("/gen/", "/switch/", "/flaky/", "/moved/", "/home/", "/bare/")):
                return self._lab(path, query, base)
            feed = render_feed(path, base, self.state.clock)
            if feed:
                return self._send_feed(feed[0].encode("utf-8"), feed[1], self.state.clock)
            article = by_path().get(path.rstrip("/"))
            if article is None or article.published(self.state.clock) > self.state.clock:
                return self._send(404, "<html><body><h1>Page not found</h1></body></html>")
            if article.kind == "gone":
                return self._send(404, "<html><body><h1>This story is no longer available</h1></body></html>")
            if article.kind == "slow":
                time.sleep(self.state.slow_seconds)
            added = self.state.revisions.get(article.path)
            if added:
                article = replace(article, paragraphs=article.paragraphs + added, updated_minutes_ago=0)
            return self._send(200, render_page(article, self.state.clock, base))
        except (BrokenPipeError, ConnectionResetError):
            return None

    def _send_feed(self, body: bytes, content_type: str, last_modified: datetime) -> None:
        """A feed with validators; a matching conditional GET gets 304 and no body."""
        etag = lab.etag_for(body)
        headers = {"Cache-Control": "max-age=300", "ETag": etag, "Last-Modified": lab.http_date(last_modified)}
        if self.state.conditional and lab.not_modified(self.headers, etag, last_modified):
            self.send_response(304)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        return self._send(200, body, content_type, headers)

    def _lab(self, path: str, query: dict, base: str) -> None:
        def number(name: str, default: int) -> int:
            try:
                return int(query.get(name, [default])[0])
            except ValueError:
                return default

        rss = "application/rss+xml; charset=utf-8"
        if path.startswith("/gen/") and path.endswith(".xml"):
            name = path[len("/gen/") : -len(".xml")]
            body, modified = lab.gen_feed(base, name, self.state.clock, number("items", 20), number("every", 60))
            return self._send_feed(body, rss, modified)
        if path.startswith("/gen/") and path.endswith(".html"):
            name, _, item = path[len("/gen/") : -len(".html")].rpartition("/")
            page = lab.gen_page(name, int(item), self.state.clock) if item.isdigit() else None
            if page is None:
                return self._send(404, "<html><body><h1>Page not found</h1></body></html>")
            return self._send(200, page)
        if path.startswith("/switch/") and path.endswith(".xml"):
            key = path[len("/switch/") : -len(".xml")]
            if not self.state.switches.get(key, False):
                return self._send(500, "<html><body>switched off</body></html>")
            body, modified = lab.gen_feed(base, key, self.state.clock, number("items", 5), number("every", 60))
            return self._send_feed(body, rss, modified)
        if path.startswith("/flaky/"):
            key = path[len("/flaky/") :]
            with self.state.lock:
                count = self.state.counters[key] = self.state.counters.get(key, 0) + 1
            if count <= number("fail", 1):
                headers = {"Retry-After": query["retry_after"][0]} if "retry_after" in query else {}
                return self._send(
                    number("status", 503), f"<html><body>try later ({count})</body></html>", headers=headers
                )
            return self._send(200, f"<html><body><p>flaky {escape(key)} answered on request {count}</p></body></html>")
        if path.startswith("/moved/"):
            return self._send(301, "", headers={"Location": "/" + path[len("/moved/") :]})
        if path.startswith("/home/"):
            page = lab.home_page(base, path[len("/home/") :].strip("/"))
            if page is not None:
                return self._send(200, page)
        if path in ("/bare/", "/bare"):
            return self._send(200, lab.BARE_HOME)
        if path == "/bare/rss.xml":
            body, modified = lab.gen_feed(base, "bare", self.state.clock, 5, 60)
            return self._send_feed(body, rss, modified)
        return self._send(404, "<html><body><h1>Page not found</h1></body></html>")

    def _control(self, path: str, query: dict, base: str) -> None:
        if path == "/_newsroom/clock":
            if "set" in query:
                when = datetime.fromisoformat(query["set"][0].replace("Z", "+00:00"))
                self.state.clock = (when if when.tzinfo else when.replace(tzinfo=UTC)).astimezone(UTC)
            return self._send(200, self.state.clock.isoformat(), "text/plain")
        if path == "/_newsroom/feeds.yaml":
            return self._send(200, feeds_yaml(base), "application/yaml")
        if path == "/_newsroom/revise":
            target, text = query.get("path", [""])[0].rstrip("/"), query.get("text", [""])[0].strip()
            if target not in by_path() or not text:
                return self._send(400, "revise needs path=<an article's path> and text=<a paragraph>", "text/plain")
            with self.state.lock:
                self.state.revisions[target] = self.state.revisions.get(target, ()) + (text,)
            return self._send(200, f"{target}: {len(self.state.revisions[target])} update(s)", "text/plain")
        return self._send(404, "unknown control path", "text/plain")

    def _error(self, path: str, query: dict) -> None:
        try:
            status = int(path.rsplit("/", 1)[-1])
        except ValueError:
            status = 500
        headers = {"Retry-After": query["retry_after"][0]} if "retry_after" in query else {}
        self._send(status, f"<html><body>error {status}</body></html>", headers=headers)

    def _hostile(self, path: str, base: str) -> None:
        name = path[len("/hostile/") :]
        if name == "redirect-loop":
            return self._send(302, "", headers={"Location": "/hostile/redirect-loop-2"})
        if name == "redirect-loop-2":
            return self._send(302, "", headers={"Location": "/hostile/redirect-loop"})
        if name == "redirect-private":
            return self._send(302, "", headers={"Location": "http://169.254.169.254/latest/meta-data/"})
        if name == "huge":
            return self._stream(b"<p>" + b"x" * 1022 + b"</p>", 50 * 1024)
        if name == "drip":
            return self._drip()
        if name == "gzip-bomb":
            return self._send(200, lab.gzip_bomb(), "text/html", {"Content-Encoding": "gzip"})
        if name == "malformed.xml":
            return self._send(
                200, '<?xml version="1.0"?><rss version="2.0"><channel><title>Broken<item>', "application/rss+xml"
            )
        if name == "html-as-feed.xml":
            return self._send(200, "<html><body><h1>Welcome to our homepage</h1></body></html>", "text/html")
        if name == "bad-links.xml":
            links = [
                "javascript:alert(1)",
                "http://[::1",
                "ftp://example.com/file",
                "mailto:desk@example.com",
                "http://127.0.0.1:99999/port",
                "http://exa mple.com/space",
                f"{base}/daily-herald/",
                "/relative",
            ]
            items = "".join(
                f"<item><title>link {i}</title><link>{escape(link)}</link></item>" for i, link in enumerate(links)
            )
            return self._send(
                200,
                f'<?xml version="1.0"?><rss version="2.0"><channel><title>Bad links</title>{items}</channel></rss>',
                "application/rss+xml",
            )
        if name == "billion-laughs.xml":
            entities = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
            return self._send(
                200,
                f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY l0 "lol">{entities}]><rss version="2.0">'
                f"<channel><title>&l9;</title><item><title>t</title><link>{base}/daily-herald/</link>"
                "</item></channel></rss>",
                "application/rss+xml",
            )
        if name == "xxe.xml":
            return self._send(
                200,
                '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                '<rss version="2.0"><channel><title>t</title><item><title>&x;</title>'
                f"<link>{base}/daily-herald/</link></item></channel></rss>",
                "application/rss+xml",
            )
        if name == "empty.xml":
            return self._send(200, b"", "application/rss+xml")
        if name == "drip-headers":
            return self._drip_headers()
        if name == "zstd":
            import zstandard

            body = zstandard.ZstdCompressor().compress(b"<html><body>" + b"z" * 100_000 + b"</body></html>")
            return self._send(200, body, "text/html", {"Content-Encoding": "zstd"})
        if name == "br-bomb":
            return self._send(200, lab.brotli_bomb(), "text/html", {"Content-Encoding": "br"})
        if name == "cp1252-as-utf8.xml":
            body = (
                '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Caf\u00e9</title>'
                f"<item><title>Na\u00efve \u201cquotes\u201d</title><link>{base}/daily-herald/</link></item>"
                "</channel></rss>"
            ).encode("cp1252")
            return self._send(200, body, "application/rss+xml; charset=utf-8")
        return self._send(404, "unknown hostile path", "text/plain")

    def _stream(self, chunk: bytes, count: int) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(chunk) * count))
        self.end_headers()
        try:
            for _ in range(count):
                self.wfile.write(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _drip_headers(self) -> None:
        head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nX-Slow: " + b"x" * 200 + b"\r\n\r\n"
        try:
            for i in range(len(head)):
                self.wfile.write(head[i : i + 1])
                self.wfile.flush()
                time.sleep(1)
        except (BrokenPipeError, ConnectionResetError):
            pass
        self.close_connection = True

    def _drip(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", "120")
        self.end_headers()
        try:
            for _ in range(120):
                self.wfile.write(b"x")
                self.wfile.flush()
                time.sleep(1)
        except (BrokenPipeError, ConnectionResetError):
            pass


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class NewsroomServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128  # many clients connect at once in the pacing tests and the benchmark

    def __init__(self, port: int = 0, state: NewsroomState | None = None, host: str = "127.0.0.1") -> None:
        if not _is_loopback(host):
            raise ValueError("the newsroom only binds to loopback")
        if ":" in host:
            self.address_family = socket.AF_INET6
        super().__init__((host, port), _Handler)
        self.state = state or NewsroomState()

    def handle_error(self, request, client_address) -> None:
        """Clients that hang up mid-response (our fetcher does, on purpose) are not server errors."""
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, TimeoutError)):
            return
        log.exception("newsroom: error serving %s", client_address)

    @property
    def base_url(self) -> str:
        host, port = str(self.server_address[0]), int(self.server_address[1])
        return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"

    def start_background(self) -> NewsroomServer:
        threading.Thread(target=self.serve_forever, name="newsroom", daemon=True).start()
        return self
