"""The fetcher interface the conveyor codes against: requests in, results out, order kept.

Two implementations: :class:`newsflow.fetch.client.HttpFetcher` (the network, politely) and
:class:`newsflow.fetch.replay.ReplayFetcher` (an hour's recorded downloads, exactly). A request
carries its own headers because conditional GET needs them; a result never raises, it records.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from typing import Self

    from newsflow.raw import RawStore

KINDS = ("feed", "page", "robots")
FEED_ACCEPT = "application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, */*;q=0.8"
PAGE_ACCEPT = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5"


@dataclass(frozen=True)
class FetchRequest:
    url: str
    kind: str = "page"  # "feed" | "page" | "robots"
    accept: str = "*/*"
    headers: Mapping[str, str] = field(default_factory=dict)  # e.g. If-None-Match / If-Modified-Since
    feed: str | None = None  # the feed this fetch serves (for records)


@dataclass
class FetchResult:
    """One URL's outcome. ``body`` is in memory only when the fetcher has no raw store to stream to;
    with one, the bytes are in the store under ``raw_ref`` and :meth:`read_body` loads them."""

    url: str
    final_url: str | None = None
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)  # response headers, names lower-cased
    body: bytes = b""
    seconds: float = 0.0
    fetched_at: datetime | None = None
    error_class: str | None = None
    error: str | None = None
    kind: str = "page"
    feed: str | None = None
    raw_ref: str | None = None
    nbytes: int = 0  # decoded body bytes (what ``body``/the raw object holds)
    wire_bytes: int = 0  # bytes received for the final response: status line, headers and (encoded) body
    attempts: int = 0  # HTTP exchanges for this URL, retries and redirect hops included
    hops: tuple[str, ...] = ()  # every URL requested before final_url, in order (redirects)
    retry_after: float | None = None  # the server's last Retry-After, in seconds
    store: RawStore | None = field(default=None, repr=False, compare=False)

    @property
    def ok(self) -> bool:
        return self.error_class is None and self.status is not None and 200 <= self.status < 300

    @property
    def not_modified(self) -> bool:
        """A conditional GET answered 304: the document is unchanged since the validators were taken."""
        return self.error_class is None and self.status == 304

    @property
    def content_type(self) -> str | None:
        return self.headers.get("content-type")

    @property
    def etag(self) -> str | None:
        return self.headers.get("etag")

    @property
    def last_modified(self) -> str | None:
        return self.headers.get("last-modified")

    def read_body(self) -> bytes:
        """The body, from memory or from the raw store it was streamed into."""
        if self.body or not self.raw_ref:
            return self.body
        if self.store is None:
            raise ValueError(f"{self.url}: body was streamed to {self.raw_ref} but the result carries no store")
        return self.store.get(self.raw_ref)


ProgressCallback = Callable[[FetchResult], None]


class Fetcher(Protocol):
    """What the stages call; :class:`HttpFetcher` and :class:`ReplayFetcher` both satisfy it."""

    def fetch_many(
        self, requests: Sequence[FetchRequest], progress: ProgressCallback | None = None
    ) -> list[FetchResult]:
        """One result per request, in the order of ``requests``; never raises for a bad URL or server."""
        ...

    def take_robots_fetches(self) -> list[FetchResult]:
        """The robots.txt downloads made since the last call (counted in ``runs``, not in ``fetches``)."""
        ...

    def __enter__(self) -> Self: ...

    def __exit__(self, *exc: object) -> None: ...
