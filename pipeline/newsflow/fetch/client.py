"""A bounded, polite HTTP client: every failure becomes a recorded error class, never an exception.

Limits enforced here: connect/read timeouts and a total deadline per URL, a maximum body size
checked while streaming (so a huge or endless response cannot exhaust memory), a maximum number
of redirects with each hop passed through the address guard, a global and a per-host concurrency
limit. Later work (issue: fetching at scale) adds robots.txt, conditional GET and retries here.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit

import httpx

from newsflow.config import Settings
from newsflow.fetch.guard import AddressGuard, BlockedAddress


@dataclass
class FetchResult:
    url: str
    final_url: str | None = None
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    seconds: float = 0.0
    fetched_at: datetime | None = None
    error_class: str | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error_class is None and self.status is not None and 200 <= self.status < 300

    @property
    def content_type(self) -> str | None:
        return self.headers.get("content-type")


class _TooLarge(Exception):
    pass


class _Deadline(Exception):
    pass


class Fetcher:
    """Fetch many URLs concurrently; one bad server never affects another's result."""

    def __init__(self, settings: Settings, allow_networks: Iterable[str] = ()) -> None:
        self.settings = settings
        self.guard = AddressGuard([*settings.allow_networks, *allow_networks])
        timeout = httpx.Timeout(settings.read_timeout, connect=settings.connect_timeout)
        limits = httpx.Limits(max_connections=settings.concurrency, max_keepalive_connections=settings.concurrency)
        self.client = httpx.Client(
            timeout=timeout,
            limits=limits,
            follow_redirects=False,
            headers={"User-Agent": settings.user_agent, "Accept-Encoding": "gzip, deflate"},
            trust_env=False,
        )
        self._host_locks: dict[str, threading.Semaphore] = defaultdict(
            lambda: threading.Semaphore(settings.per_host_concurrency)
        )
        self._lock = threading.Lock()

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _host_slot(self, url: str) -> threading.Semaphore:
        with self._lock:
            return self._host_locks[urlsplit(url).netloc.lower()]

    def fetch(self, url: str, accept: str = "*/*") -> FetchResult:
        result = FetchResult(url=url)
        started = time.monotonic()
        deadline = started + self.settings.total_timeout
        result.fetched_at = datetime.now(UTC)
        current = url
        try:
            for _hop in range(self.settings.max_redirects + 1):
                self.guard.check(current)
                with self._host_slot(current):
                    status, headers, body = self._get_once(current, accept, deadline)
                if status in (301, 302, 303, 307, 308) and "location" in headers:
                    current = urljoin(current, headers["location"])
                    continue
                result.final_url, result.status, result.headers, result.body = current, status, headers, body
                if status >= 400:
                    result.error_class = f"http_{status}"
                    result.error = f"HTTP {status} from {current}"
                break
            else:
                result.final_url = current
                result.error_class = "too_many_redirects"
                result.error = f"more than {self.settings.max_redirects} redirects starting at {url}"
        except BlockedAddress as exc:
            result.final_url, result.error_class, result.error = current, "blocked_address", str(exc)
        except _TooLarge as exc:
            result.final_url, result.error_class, result.error = current, "too_large", str(exc)
        except _Deadline as exc:
            result.final_url, result.error_class, result.error = current, "timeout", str(exc)
        except httpx.TimeoutException as exc:
            result.final_url, result.error_class = current, "timeout"
            result.error = f"{type(exc).__name__} fetching {current} (connect {self.settings.connect_timeout}s, "
            result.error += f"read {self.settings.read_timeout}s)"
        except httpx.HTTPError as exc:
            result.final_url, result.error_class = current, "connection_error"
            result.error = f"{type(exc).__name__}: {exc} fetching {current}"
        except (httpx.InvalidURL, ValueError, UnicodeError) as exc:
            result.final_url, result.error_class = current, "invalid_url"
            result.error = f"cannot fetch {current!r}: {exc}"
        except Exception as exc:  # noqa: BLE001 - a fetch never takes the run down; the class says where to look
            result.final_url, result.error_class = current, "fetch_error"
            result.error = f"unexpected {type(exc).__name__} fetching {current}: {exc}"
        result.seconds = time.monotonic() - started
        return result

    def _get_once(self, url: str, accept: str, deadline: float) -> tuple[int, dict[str, str], bytes]:
        max_bytes = self.settings.max_bytes
        with self.client.stream("GET", url, headers={"Accept": accept}) as response:
            headers = {k.lower(): v for k, v in response.headers.items()}
            declared = headers.get("content-length", "")
            if declared.isdigit() and int(declared) > max_bytes:
                raise _TooLarge(f"{url} declares {declared} bytes; the limit is {max_bytes} (NEWSFLOW_MAX_BYTES)")
            chunks: list[bytes] = []
            size = 0
            # iter_bytes decodes gzip/deflate; the cap applies to decoded bytes, which also stops
            # decompression bombs.
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > max_bytes:
                    raise _TooLarge(f"{url} sent more than {max_bytes} bytes (NEWSFLOW_MAX_BYTES)")
                if time.monotonic() > deadline:
                    raise _Deadline(f"{url} took longer than {self.settings.total_timeout}s in total")
                chunks.append(chunk)
            return response.status_code, headers, b"".join(chunks)

    def fetch_many(
        self, urls: list[str], accept: str = "*/*", progress: Callable[[FetchResult], None] | None = None
    ) -> list[FetchResult]:
        """Fetch in parallel, returning results in the order of ``urls``."""
        if not urls:
            return []
        with ThreadPoolExecutor(max_workers=min(self.settings.concurrency, len(urls))) as pool:
            futures = [pool.submit(self.fetch, u, accept) for u in urls]
            results = []
            for fut in futures:
                res = fut.result()
                if progress:
                    progress(res)
                results.append(res)
        return results
