"""How politely and how safely we fetch: one frozen dataclass, defaults for the real web.

The one place for every fetch knob: :meth:`FetchSettings.from_env` reads them from their
``NEWSFLOW_*`` variables (``ENV``); :class:`newsflow.config.Settings` holds none of them.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from typing import Any, ClassVar

from newsflow import __version__

DEFAULT_CONTACT = "https://github.com/newsflow/newsflow"
ENCODINGS = ("gzip", "deflate", "br")  # what we ask for and the only ones we decode


def user_agent_for(contact: str, product: str = "newsflow") -> str:
    """A user agent that names the project and says where to complain (publishers look for a URL)."""
    return f"{product}/{__version__} (+{contact}; news ingestion bot)"


@dataclass(frozen=True)
class FetchSettings:
    """Every knob of the fetcher, robots handling and fetch-state planning.

    Times are seconds unless the name says hours. Each field's env var is in ``ENV`` below.
    """

    user_agent: str = field(default_factory=lambda: user_agent_for(DEFAULT_CONTACT))
    connect_timeout: float = 5.0
    read_timeout: float = 10.0
    # One HTTP exchange (connect, headers and body of one hop) never takes longer than this.
    total_timeout: float = 30.0
    max_bytes: int = 10 * 1024 * 1024  # decoded body bytes
    max_redirects: int = 5
    concurrency: int = 16  # requests in flight across all hosts
    per_host_concurrency: int = 1
    allow_networks: tuple[str, ...] = ()
    # Politeness.
    host_delay: float = 1.0  # minimum seconds between the starts of two requests to one host
    max_crawl_delay: float = 30.0  # a robots.txt Crawl-delay (or Request-rate) above this is capped
    respect_robots: bool = True
    robots_ttl: float = 24 * 3600.0  # how long a fetched robots.txt is trusted
    robots_error_ttl: float = 3600.0  # how long "robots.txt unreachable, so disallow" is kept
    robots_max_bytes: int = 512 * 1024  # RFC 9309: parse at least 500 KiB
    # Retries inside one cycle (timeouts, 429, 5xx, dropped connections).
    retries: int = 2
    retry_base: float = 1.0  # first backoff; doubles per attempt, plus up to 50 % jitter
    max_retry_after: float = 60.0  # a longer Retry-After is not waited for in this cycle
    host_failures_before_skip: int = 5  # consecutive connect failures/timeouts that close a host for the cycle
    # Feed state and planning (hours).
    min_poll_hours: int = 1
    max_poll_hours: int = 24
    max_backoff_hours: int = 48
    flag_after_hours: int = 24  # a feed failing this many hours in a row is flagged in runs
    page_max_failures: int = 5  # a page failing this often in a row is given up like a 404
    # A page fetched before is downloaded again when its feed entry says it changed since (an update
    # becomes a new version of the article), at most once per this many hours: some feeds restamp
    # every entry on each request, and their pages must not be downloaded every hour.
    update_interval_hours: int = 3
    # Airflow runs the fetch stages as this many mapped tasks, each on its own hosts (the CLI, one
    # process, runs one shard: its fetcher already fetches hosts in parallel).
    shards: int = 4
    # Feed documents.
    max_items: int = 1000  # entries kept per feed document (a 10,000-item feed is cut, with one warning)

    ENV: ClassVar[dict[str, str]] = {
        "user_agent": "NEWSFLOW_USER_AGENT",
        "connect_timeout": "NEWSFLOW_CONNECT_TIMEOUT",
        "read_timeout": "NEWSFLOW_READ_TIMEOUT",
        "total_timeout": "NEWSFLOW_TOTAL_TIMEOUT",
        "max_bytes": "NEWSFLOW_MAX_BYTES",
        "max_redirects": "NEWSFLOW_MAX_REDIRECTS",
        "concurrency": "NEWSFLOW_CONCURRENCY",
        "per_host_concurrency": "NEWSFLOW_PER_HOST_CONCURRENCY",
        "allow_networks": "NEWSFLOW_ALLOW_NETWORKS",
        "host_delay": "NEWSFLOW_HOST_DELAY",
        "max_crawl_delay": "NEWSFLOW_MAX_CRAWL_DELAY",
        "respect_robots": "NEWSFLOW_RESPECT_ROBOTS",
        "robots_ttl": "NEWSFLOW_ROBOTS_TTL",
        "robots_error_ttl": "NEWSFLOW_ROBOTS_ERROR_TTL",
        "robots_max_bytes": "NEWSFLOW_ROBOTS_MAX_BYTES",
        "retries": "NEWSFLOW_RETRIES",
        "retry_base": "NEWSFLOW_RETRY_BASE",
        "max_retry_after": "NEWSFLOW_MAX_RETRY_AFTER",
        "host_failures_before_skip": "NEWSFLOW_HOST_FAILURES_BEFORE_SKIP",
        "min_poll_hours": "NEWSFLOW_MIN_POLL_HOURS",
        "max_poll_hours": "NEWSFLOW_MAX_POLL_HOURS",
        "max_backoff_hours": "NEWSFLOW_MAX_BACKOFF_HOURS",
        "flag_after_hours": "NEWSFLOW_FLAG_AFTER_HOURS",
        "page_max_failures": "NEWSFLOW_PAGE_MAX_FAILURES",
        "update_interval_hours": "NEWSFLOW_UPDATE_INTERVAL_HOURS",
        "shards": "NEWSFLOW_FETCH_SHARDS",
        "max_items": "NEWSFLOW_MAX_ITEMS",
    }
    CONTACT_ENV: ClassVar[str] = (
        "NEWSFLOW_CONTACT"  # sets the user agent's contact URL when NEWSFLOW_USER_AGENT is unset
    )

    def __post_init__(self) -> None:
        problems = []
        for name in ("connect_timeout", "read_timeout", "total_timeout"):
            if getattr(self, name) <= 0:
                problems.append(f"{name} must be > 0")
        for name in (
            "max_bytes",
            "concurrency",
            "per_host_concurrency",
            "min_poll_hours",
            "robots_max_bytes",
            "page_max_failures",
            "flag_after_hours",
            "update_interval_hours",
            "shards",
            "max_backoff_hours",
        ):
            if getattr(self, name) < 1:
                problems.append(f"{name} must be >= 1")
        for name in ("host_delay", "max_crawl_delay", "retries", "retry_base", "max_retry_after", "max_redirects"):
            if getattr(self, name) < 0:
                problems.append(f"{name} must be >= 0")
        if self.max_poll_hours < self.min_poll_hours:
            problems.append("max_poll_hours must be >= min_poll_hours")
        if self.max_items < 1:
            problems.append("max_items must be >= 1")
        if problems:
            raise ValueError("fetch settings: " + "; ".join(problems))

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: Any) -> FetchSettings:
        """Defaults, overridden by the env vars in ``ENV`` that are set, then by ``overrides``."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        types = {f.name: f.type for f in fields(cls)}
        for name, var in cls.ENV.items():
            raw = env.get(var)
            if raw is None or raw.strip() == "":
                continue
            values[name] = _convert(var, raw.strip(), str(types[name]))
        if "user_agent" not in values and env.get(cls.CONTACT_ENV, "").strip():
            values["user_agent"] = user_agent_for(env[cls.CONTACT_ENV].strip())
        values.update(overrides)
        return cls(**values)

    def with_networks(self, networks: tuple[str, ...] | list[str]) -> FetchSettings:
        """These settings with extra allowed networks (e.g. ``fetch.allow_networks`` from feeds.yaml)."""
        return replace(self, allow_networks=tuple(dict.fromkeys([*self.allow_networks, *networks])))


def _convert(var: str, raw: str, type_name: str) -> Any:
    converters: dict[str, Callable[[str], Any]] = {
        "str": str,
        "float": float,
        "int": int,
        "bool": _strict_bool,
        "tuple[str, ...]": lambda s: tuple(p.strip() for p in s.split(",") if p.strip()),
    }
    convert = converters[type_name]
    try:
        return convert(raw)
    except ValueError as exc:
        raise ValueError(f"{var}={raw!r}: {exc}; unset it or give a valid value") from exc


def _strict_bool(raw: str) -> bool:
    lowered = raw.lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise ValueError("expected true/false, yes/no, on/off or 1/0")
