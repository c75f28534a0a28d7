"""robots.txt: fetched once per origin, cached with an expiry, honoured for pages and feeds.

Parsing is protego's (longest match wins, ``*`` and ``$`` wildcards, as RFC 9309 and the big
crawlers do; ``urllib.robotparser`` applies the first matching rule and knows no wildcards).
What a fetch outcome means follows RFC 9309 section 2.3.1: a 2xx is parsed; a 4xx means "no
rules" (everything allowed); a 5xx, 429 or a network failure means "assume complete disallow"
for a short while, since the publisher may be struggling. ``Crawl-delay`` and ``Request-rate``
set the host's pace (capped by ``max_crawl_delay``).

The cache lives in memory and, given a path, in a SQLite table next to the fetch state, so an
hourly run does not ask every publisher for robots.txt again.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from protego import Protego

from newsflow.fetch.protocol import FetchResult
from newsflow.fetch.settings import FetchSettings

ALLOW_ALL = "allow_all"  # no robots.txt (4xx): no rules
DISALLOW_ALL = "disallow_all"  # unreachable (5xx, 429, network): assume complete disallow for now
PARSED = "parsed"
# Our own refusals (blocked address, bad URL, no DNS): the page fetch will fail the same way, so
# robots.txt neither allows nor forbids anything and nothing is cached.
NOT_CACHED_ERRORS = {"blocked_address", "dns_error", "invalid_url"}


def origin_of(url: str) -> str:
    """``scheme://host[:port]``: robots.txt applies per origin (RFC 9309 section 2.3)."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"
    port = parts.port
    default = 443 if scheme == "https" else 80
    return f"{scheme}://{host}" + (f":{port}" if port and port != default else "")


def robots_url(url: str) -> str:
    return origin_of(url) + "/robots.txt"


def product_token(user_agent: str) -> str:
    """The part of our user agent a robots.txt group names (``newsflow`` in ``newsflow/1.0 (+…)``).

    protego matches a group by substring, so passing the whole string would let ``User-agent: bot``
    match the word "bot" in our contact comment.
    """
    return user_agent.split("/", 1)[0].split()[0].strip().lower() or "*"


@dataclass(frozen=True)
class RobotsRules:
    origin: str
    status: str  # PARSED | ALLOW_ALL | DISALLOW_ALL
    body: str = ""
    fetched_at: float = 0.0  # wall clock (epoch seconds)
    expires_at: float = 0.0
    reason: str = ""
    cause: str | None = None  # the fetch's error class when robots.txt was unreachable (DISALLOW_ALL)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_parser", Protego.parse(self.body) if self.status == PARSED else None)

    @property
    def parser(self) -> Protego | None:
        return self.__dict__["_parser"]

    def allowed(self, url: str, token: str) -> bool:
        if self.status == ALLOW_ALL:
            return True
        if self.status == DISALLOW_ALL:
            return urlsplit(url).path == "/robots.txt"
        return self.parser is None or bool(self.parser.can_fetch(url, token))

    def delay(self, token: str) -> float | None:
        """Seconds between requests this origin asks for (Crawl-delay, or Request-rate as seconds/request)."""
        if self.parser is None:
            return None
        delay = self.parser.crawl_delay(token)
        rate = self.parser.request_rate(token)
        from_rate = rate.seconds / rate.requests if rate is not None and rate.requests else None
        candidates = [float(d) for d in (delay, from_rate) if d is not None and d >= 0]
        return max(candidates) if candidates else None

    def fresh(self, now: float) -> bool:
        return now < self.expires_at


def interpret(
    origin: str, result: FetchResult, settings: FetchSettings, now: float | None = None
) -> RobotsRules | None:
    """What a robots.txt fetch means for its origin; None when it says nothing (our own refusal)."""
    now = time.time() if now is None else now
    if result.error_class in NOT_CACHED_ERRORS:
        return None
    status = result.status or 0
    if result.error_class is None and 200 <= status < 300:
        body = result.read_body()[: settings.robots_max_bytes].decode("utf-8", errors="replace")
        return RobotsRules(origin, PARSED, body, now, now + settings.robots_ttl, "fetched")
    if result.error_class == "empty_body":
        return RobotsRules(origin, ALLOW_ALL, "", now, now + settings.robots_ttl, "empty robots.txt")
    if 400 <= status < 500 and status != 429:
        return RobotsRules(origin, ALLOW_ALL, "", now, now + settings.robots_ttl, f"robots.txt answered {status}")
    if result.error_class == "too_many_redirects":
        return RobotsRules(origin, ALLOW_ALL, "", now, now + settings.robots_ttl, "robots.txt redirects too often")
    cause = result.error_class or f"http_{status}"
    reason = f"robots.txt unreachable ({cause})"
    return RobotsRules(origin, DISALLOW_ALL, "", now, now + settings.robots_error_ttl, reason, cause)


class RobotsCache:
    """Per-origin rules with expiry; thread-safe; persisted in SQLite when given a path."""

    def __init__(self, path: Path | None = None) -> None:
        self._rules: dict[str, RobotsRules] = {}
        self._lock = threading.Lock()
        self._db: sqlite3.Connection | None = None
        if path is not None:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(str(path), check_same_thread=False, timeout=30)
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS robots (origin TEXT PRIMARY KEY, status TEXT NOT NULL, body TEXT,"
                " fetched_at REAL NOT NULL, expires_at REAL NOT NULL, reason TEXT, cause TEXT)"
            )
            self._db.commit()

    def get(self, origin: str, now: float | None = None) -> RobotsRules | None:
        """Fresh rules for ``origin``, or None when they must be fetched (missing or expired)."""
        now = time.time() if now is None else now
        with self._lock:
            rules = self._rules.get(origin)
            if rules is None and self._db is not None:
                row = self._db.execute(
                    "SELECT status, body, fetched_at, expires_at, reason, cause FROM robots WHERE origin = ?", (origin,)
                ).fetchone()
                if row is not None:
                    rules = RobotsRules(origin, row[0], row[1] or "", row[2], row[3], row[4] or "", row[5])
                    self._rules[origin] = rules
        return rules if rules is not None and rules.fresh(now) else None

    def put(self, rules: RobotsRules) -> None:
        with self._lock:
            self._rules[rules.origin] = rules
            if self._db is not None:
                self._db.execute(
                    "INSERT OR REPLACE INTO robots VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (
                        rules.origin,
                        rules.status,
                        rules.body,
                        rules.fetched_at,
                        rules.expires_at,
                        rules.reason,
                        rules.cause,
                    ),
                )
                self._db.commit()

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
