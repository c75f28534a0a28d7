"""The live fetcher: polite, bounded, and every failure a recorded error class, never an exception.

Per request it: checks robots.txt for the URL's origin (fetched once, cached with expiry), waits
for the host's turn (:mod:`newsflow.fetch.scheduler`: per-host delay and concurrency, a global
worker limit), connects only to addresses the guard vetted (:mod:`newsflow.fetch.transport`),
bounds the whole exchange by ``total_timeout`` (headers included), decodes only the encodings it
asked for with a cap checked every 64 KiB of output (:mod:`newsflow.fetch.decode`), streams the
body into the raw store when it has one, follows redirects hop by hop (each hop is a new job on
its own host, robots and guard included), and retries timeouts, dropped connections, 429 and 5xx
with exponential backoff and jitter, honouring ``Retry-After`` up to ``max_retry_after``.
"""

from __future__ import annotations

import logging
import random
import ssl
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

import certifi
import httpcore
import httpx

from newsflow.fetch.decode import BodyDecoder, DecodeError, UnsupportedEncoding
from newsflow.fetch.guard import AddressGuard, BlockedAddress, ResolveError, Resolver
from newsflow.fetch.protocol import FetchRequest, FetchResult, ProgressCallback
from newsflow.fetch.robots import RobotsCache, RobotsRules, interpret, origin_of, product_token, robots_url
from newsflow.fetch.scheduler import HostScheduler
from newsflow.fetch.settings import ENCODINGS, FetchSettings
from newsflow.fetch.transport import PinnedBackend, exchange
from newsflow.raw import RawStore, RawWriter

log = logging.getLogger("newsflow.fetch")

REDIRECTS = (301, 302, 303, 307, 308)
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504, 507, 508, 509, 520, 521, 522, 523, 524})
# Failures that say something about the host rather than the URL: enough in a row close the host.
HOST_FAILURES = frozenset({"timeout", "connection_error"})


def host_key(url: str) -> str:
    """What politeness is counted per: the host name, plus the port when it is not the default."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    default = 443 if parts.scheme == "https" else 80
    return host + (f":{port}" if port and port != default else "")


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or an HTTP date); None if absent or junk."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class _Failure(Exception):
    def __init__(self, error_class: str, error: str, *, retriable: bool = False) -> None:
        super().__init__(error)
        self.error_class = error_class
        self.error = error
        self.retriable = retriable


@dataclass
class _Response:
    status: int
    headers: dict[str, str]
    body: bytes = b""
    raw_ref: str | None = None
    nbytes: int = 0
    wire_bytes: int = 0


@dataclass
class _Job:
    index: int  # position in the caller's request list; -1 for robots.txt
    request: FetchRequest
    url: str
    hops: list[str] = field(default_factory=list)
    attempts: int = 0
    retries: int = 0
    started: float | None = None
    fetched_at: datetime | None = None


class HttpFetcher:
    """Fetch over HTTP(S) politely. Use as a context manager; one instance serves many ``fetch_many`` calls.

    ``raw``: stream every body into this store (results carry ``raw_ref``, not ``body``).
    ``robots``: the robots.txt cache (pass one backed by the state database to keep it across runs).
    ``resolver``: the guard's name resolver (tests pass a stub).
    """

    def __init__(
        self,
        settings: FetchSettings,
        *,
        raw: RawStore | None = None,
        robots: RobotsCache | None = None,
        resolver: Resolver | None = None,
    ) -> None:
        self.settings = settings
        self.guard = AddressGuard(settings.allow_networks, resolver)
        self.raw = raw
        self.robots = robots if robots is not None else RobotsCache()
        self.token = product_token(settings.user_agent)
        self._robots_fetches: list[FetchResult] = []
        self._robots_lock = threading.Lock()
        self._pool = httpcore.ConnectionPool(
            ssl_context=ssl.create_default_context(cafile=certifi.where()),
            max_connections=settings.concurrency + 2,
            max_keepalive_connections=settings.concurrency,
            keepalive_expiry=30.0,
            http1=True,
            http2=False,
            network_backend=PinnedBackend(self.guard),
        )

    def close(self) -> None:
        self._pool.close()

    def __enter__(self) -> HttpFetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------ public

    def fetch(self, request: FetchRequest | str) -> FetchResult:
        """One URL (a convenience for tools and tests; stages use :meth:`fetch_many`)."""
        req = request if isinstance(request, FetchRequest) else FetchRequest(request)
        return self.fetch_many([req])[0]

    def fetch_many(
        self, requests: Sequence[FetchRequest], progress: ProgressCallback | None = None
    ) -> list[FetchResult]:
        """Fetch every request, politely and concurrently; results in the order of ``requests``.

        ``progress`` is called once per result as it completes, from a worker thread, one call at a
        time; work done there (parsing a feed) overlaps with the other hosts' requests.
        """
        if not requests:
            return []
        run = _Run(self, list(requests), progress)
        return run.execute()

    def take_robots_fetches(self) -> list[FetchResult]:
        """The robots.txt downloads made since the last call (kind ``robots``), for the ``fetches`` dataset."""
        with self._robots_lock:
            taken, self._robots_fetches = self._robots_fetches, []
        return taken

    # ------------------------------------------------------------ one HTTP exchange

    def _exchange(self, url: str, request: FetchRequest, *, body_to_store: bool, retry_possible: bool) -> _Response:
        """One GET of ``url`` (no redirect following). Raises :class:`_Failure` for every failure."""
        s = self.settings
        try:
            self.guard.check(url)
            target = httpx.URL(url)
            headers = [
                (b"Host", target.netloc),
                (b"User-Agent", s.user_agent.encode("latin-1", "replace")),
                (b"Accept", request.accept.encode("latin-1", "replace")),
                (b"Accept-Encoding", ", ".join(ENCODINGS).encode()),
            ]
            reserved = {b"host", b"user-agent", b"accept-encoding"}
            for name, value in request.headers.items():
                key = name.encode("latin-1")
                if key.lower() in reserved:
                    continue
                if key.lower() == b"accept":
                    headers = [h for h in headers if h[0] != b"Accept"]
                headers.append((key, str(value).encode("latin-1", "replace")))
            core_url = httpcore.URL(
                scheme=target.raw_scheme, host=target.raw_host, port=target.port, target=target.raw_path
            )
            timeouts = {"connect": s.connect_timeout, "read": s.read_timeout, "write": s.read_timeout, "pool": 5.0}
            limit = s.robots_max_bytes if request.kind == "robots" else s.max_bytes
            with exchange(time.monotonic() + s.total_timeout) as ex:
                with self._pool.stream("GET", core_url, headers=headers, extensions={"timeout": timeouts}) as resp:
                    got = _Response(resp.status, _header_dict(resp.headers))
                    if resp.status in REDIRECTS or resp.status == 304:
                        got.wire_bytes = ex.received
                        return got
                    if retry_possible and resp.status in RETRY_STATUSES:
                        got.wire_bytes = ex.received
                        return got
                    self._read_body(url, resp, got, limit, truncate=request.kind == "robots", to_store=body_to_store)
                got.wire_bytes = ex.received
                return got
        except _Failure:
            raise
        except BlockedAddress as exc:
            raise _Failure("blocked_address", str(exc)) from exc
        except ResolveError as exc:
            raise _Failure("dns_error", str(exc)) from exc
        except UnsupportedEncoding as exc:
            raise _Failure("unsupported_encoding", f"{exc} ({url})") from exc
        except DecodeError as exc:
            raise _Failure("decode_error", f"{exc} ({url})") from exc
        except (httpcore.TimeoutException, TimeoutError) as exc:
            detail = str(exc) or type(exc).__name__
            raise _Failure(
                "timeout",
                f"{detail} fetching {url} (connect {s.connect_timeout}s, read {s.read_timeout}s, "
                f"total {s.total_timeout}s)",
                retriable=True,
            ) from exc
        except httpcore.ConnectError as exc:
            raise _Failure("connection_error", f"cannot connect: {exc or type(exc).__name__} ({url})") from exc
        except (httpcore.ReadError, httpcore.WriteError, httpcore.RemoteProtocolError) as exc:
            raise _Failure("connection_error", f"{type(exc).__name__}: {exc} fetching {url}", retriable=True) from exc
        except (
            httpx.InvalidURL,
            httpcore.UnsupportedProtocol,
            httpcore.LocalProtocolError,
            ValueError,
            UnicodeError,
        ) as exc:
            raise _Failure("invalid_url", f"cannot fetch {url!r}: {exc}") from exc
        except Exception as exc:  # noqa: BLE001 - a fetch never takes the run down; the class says where to look
            raise _Failure("fetch_error", f"unexpected {type(exc).__name__} fetching {url}: {exc}") from exc

    def _read_body(
        self, url: str, resp: httpcore.Response, got: _Response, limit: int, *, truncate: bool, to_store: bool
    ) -> None:
        """Decode the body piece by piece into the raw store (or memory), enforcing ``limit`` as it grows.

        ``truncate`` keeps the first ``limit`` bytes instead of failing (robots.txt: RFC 9309 asks
        crawlers to parse at least 500 KiB, not to reject a longer file).
        """
        declared = got.headers.get("content-length", "")
        if not truncate and declared.isdigit() and int(declared) > limit:
            raise _Failure("too_large", f"{url} declares {declared} bytes; the limit is {limit} (NEWSFLOW_MAX_BYTES)")
        decoder = BodyDecoder(got.headers.get("content-encoding"))
        writer: RawWriter | None = self.raw.writer() if (to_store and self.raw is not None) else None
        kept: list[bytes] = []
        size = 0

        def take(piece: bytes) -> bool:
            """Keep ``piece``; False once a truncating read has all it wants."""
            nonlocal size
            if size + len(piece) > limit:
                if not truncate:
                    raise _Failure("too_large", f"{url} sent more than {limit} bytes (NEWSFLOW_MAX_BYTES)")
                piece = piece[: limit - size]
            size += len(piece)
            if writer is not None:
                writer.write(piece)
            else:
                kept.append(piece)
            return size < limit or not truncate

        try:
            complete = True
            for chunk in resp.iter_stream():
                if not all(take(piece) for piece in decoder.feed(chunk)):
                    complete = False
                    break
            if complete:
                for piece in decoder.flush():
                    take(piece)
        except BaseException:
            if writer is not None:
                writer.abort()
            raise
        got.nbytes = size
        if writer is not None:
            if size:
                got.raw_ref = writer.commit()
            else:
                writer.abort()
        else:
            got.body = b"".join(kept)


def _header_dict(raw: list[tuple[bytes, bytes]]) -> dict[str, str]:
    headers: dict[str, str] = {}
    for name, value in raw:
        key = name.decode("latin-1").lower()
        text = value.decode("latin-1")
        headers[key] = f"{headers[key]}, {text}" if key in headers else text
    return headers


class _Run:
    """One ``fetch_many`` call: the scheduler, the workers and the results."""

    def __init__(self, fetcher: HttpFetcher, requests: list[FetchRequest], progress: ProgressCallback | None) -> None:
        self.f = fetcher
        self.s = fetcher.settings
        self.requests = requests
        self.progress = progress
        self.results: list[FetchResult | None] = [None] * len(requests)
        self.sched: HostScheduler[_Job] = HostScheduler(self.s.per_host_concurrency, self.s.host_delay)
        self.lock = threading.Lock()
        self.progress_lock = threading.Lock()
        self.waiting: dict[str, list[_Job]] = {}  # origin -> jobs waiting for its robots.txt
        self.unchecked: dict[str, RobotsRules] = {}  # origins whose robots.txt we refused to fetch ourselves
        self.host_failures: dict[str, int] = {}
        self.closed_hosts: dict[str, str] = {}
        self.rng = random.Random()

    def execute(self) -> list[FetchResult]:
        for i, request in enumerate(self.requests):
            self.submit(_Job(i, request, request.url))
        workers = [
            threading.Thread(target=self.work, name=f"fetch-{n}", daemon=True)
            for n in range(min(self.s.concurrency, len(self.requests)))
        ]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        out: list[FetchResult] = []
        for i, res in enumerate(self.results):
            if res is None:  # only if a worker died: never leave a hole in the ordered results
                res = FetchResult(url=self.requests[i].url, error_class="fetch_error", error="fetcher worker stopped")
            out.append(res)
        return out

    # ------------------------------------------------------------ job flow

    def submit(self, job: _Job) -> None:
        """Queue a job (new, redirect hop) after its origin's robots.txt is known; or finish it now."""
        key = host_key(job.url)
        if key in self.closed_hosts:
            self.finish(job, None, _Failure("host_unavailable", self.closed_hosts[key]))
            return
        if not self.s.respect_robots or job.index < 0:
            self.sched.add(key, job)
            return
        origin = origin_of(job.url)
        rules = self.unchecked.get(origin) or self.f.robots.get(origin)
        if rules is None:
            with self.lock:
                # Checked again under the lock: robots.txt may have arrived since.
                rules = self.unchecked.get(origin) or self.f.robots.get(origin)
                if rules is None and origin in self.waiting:
                    self.waiting[origin].append(job)
                    return
                if rules is None:
                    self.waiting[origin] = [job]
        if rules is None:
            robots_request = FetchRequest(robots_url(job.url), kind="robots", accept="text/plain")
            self.sched.add(key, _Job(-1, robots_request, robots_request.url), front=True)
            return
        self._apply_delay(key, rules)
        if not rules.allowed(job.url, self.f.token):
            self.finish(job, None, self._refusal(rules, job.url))
            return
        self.sched.add(key, job)

    def _refusal(self, rules: RobotsRules, url: str) -> _Failure:
        """Why robots.txt stops ``url``: its rules, or (when it could not be fetched) the network failure."""
        if rules.cause in HOST_FAILURES:
            return _Failure(rules.cause or "connection_error", f"{url} not fetched: {rules.reason} for {rules.origin}")
        reason = f"robots.txt of {rules.origin} disallows {url} for {self.f.token}"
        if rules.status != "parsed" and rules.reason:
            reason += f" ({rules.reason})"
        return _Failure("robots_disallowed", reason)

    def _apply_delay(self, key: str, rules: RobotsRules) -> None:
        wanted = rules.delay(self.f.token)
        if wanted is None:
            return
        delay = max(self.s.host_delay, min(wanted, self.s.max_crawl_delay))
        if delay > self.sched.delay_of(key):
            self.sched.set_delay(key, delay)

    def work(self) -> None:
        try:
            while True:
                taken = self.sched.take()
                if taken is None:
                    return
                key, job = taken
                try:
                    if job.index < 0:
                        self.run_robots(key, job)
                    else:
                        self.run_job(key, job)
                finally:
                    self.sched.done(key)
        except BaseException:
            log.exception("fetch worker crashed")
            self.sched.close()
            raise

    def run_robots(self, key: str, job: _Job) -> None:
        """Fetch an origin's robots.txt (redirects followed inline), cache its meaning, release its jobs."""
        origin = origin_of(job.url)
        job.started, job.fetched_at = time.monotonic(), datetime.now(UTC)
        url = job.url
        result: FetchResult
        for _ in range(max(self.s.max_redirects, 5) + 1):
            job.attempts += 1
            try:
                got = self.f._exchange(url, job.request, body_to_store=False, retry_possible=False)
            except _Failure as failure:
                result = self._result(job, url, None, failure)
                break
            location = got.headers.get("location")
            if got.status in REDIRECTS and location:
                job.hops.append(url)
                url = urljoin(url, location)
                continue
            result = self._result(job, url, got, None)
            break
        else:
            result = self._result(job, url, None, _Failure("too_many_redirects", f"robots.txt of {origin} loops"))
        if result.error_class:
            self._count_host(key, result.error_class)
        rules = interpret(origin, result, self.s)
        if self.f.raw is not None and result.body:
            result.raw_ref = self.f.raw.put(result.body)
            result.store = self.f.raw
            result.body = b""
        with self.f._robots_lock:
            self.f._robots_fetches.append(result)
        with self.lock:
            if rules is not None:
                self.f.robots.put(rules)
            else:  # our own refusal (blocked, no DNS): each request fails on its own terms, once
                rules = self.unchecked[origin] = RobotsRules(origin, "allow_all", reason="robots.txt not checked")
            jobs = self.waiting.pop(origin, [])
        self._apply_delay(key, rules)
        for waiting in jobs:
            if rules.allowed(waiting.url, self.f.token):
                self.sched.add(host_key(waiting.url), waiting)
            else:
                self.finish(waiting, None, self._refusal(rules, waiting.url))

    def run_job(self, key: str, job: _Job) -> None:
        s = self.s
        if key in self.closed_hosts:
            self.finish(job, None, _Failure("host_unavailable", self.closed_hosts[key]))
            return
        if job.started is None:
            job.started, job.fetched_at = time.monotonic(), datetime.now(UTC)
        job.attempts += 1
        retry_possible = job.retries < s.retries
        try:
            got = self.f._exchange(job.url, job.request, body_to_store=True, retry_possible=retry_possible)
        except _Failure as failure:
            self._count_host(key, failure.error_class)
            if failure.retriable and retry_possible:
                self.retry(key, job, None)
                return
            self.finish(job, None, failure)
            return
        self.host_failures[key] = 0
        location = got.headers.get("location")
        if got.status in REDIRECTS and location:
            if len(job.hops) >= s.max_redirects:
                job.hops.append(job.url)
                job.url = urljoin(job.url, location)
                too_many = _Failure(
                    "too_many_redirects", f"more than {s.max_redirects} redirects starting at {job.request.url}"
                )
                self.finish(job, None, too_many)
                return
            job.hops.append(job.url)
            job.url = urljoin(job.url, location)
            self.submit(job)
            return
        if got.status in RETRY_STATUSES:
            retry_after = parse_retry_after(got.headers.get("retry-after"))
            if retry_after is not None and got.status in (429, 503):
                self.sched.defer(key, time.monotonic() + min(retry_after, s.max_retry_after))
            if retry_possible and (retry_after is None or retry_after <= s.max_retry_after):
                self.retry(key, job, retry_after)
                return
        self.finish(job, got, None)

    def retry(self, key: str, job: _Job, retry_after: float | None) -> None:
        backoff = self.s.retry_base * (2**job.retries) * (1 + 0.5 * self.rng.random())
        wait = max(backoff, retry_after or 0.0)
        job.retries += 1
        self.sched.add(key, job, not_before=time.monotonic() + wait)

    def _count_host(self, key: str, error_class: str) -> None:
        if error_class not in HOST_FAILURES:
            return
        with self.lock:
            count = self.host_failures.get(key, 0) + 1
            self.host_failures[key] = count
            if count >= self.s.host_failures_before_skip and key not in self.closed_hosts:
                self.closed_hosts[key] = (
                    f"{key} failed {count} times in a row ({error_class}); its remaining requests are skipped "
                    "this cycle"
                )
                log.warning("fetch: %s", self.closed_hosts[key])

    # ------------------------------------------------------------ results

    def _result(self, job: _Job, url: str, got: _Response | None, failure: _Failure | None) -> FetchResult:
        now = time.monotonic()
        res = FetchResult(
            url=job.request.url,
            final_url=url,
            seconds=round(now - job.started, 6) if job.started is not None else 0.0,
            fetched_at=job.fetched_at,
            kind=job.request.kind,
            feed=job.request.feed,
            attempts=job.attempts,
            hops=tuple(job.hops),
            store=self.f.raw,
        )
        if failure is not None:
            res.error_class, res.error = failure.error_class, failure.error
            return res
        assert got is not None
        res.status, res.headers, res.body = got.status, got.headers, got.body
        res.raw_ref, res.nbytes, res.wire_bytes = got.raw_ref, got.nbytes or len(got.body), got.wire_bytes
        res.retry_after = parse_retry_after(got.headers.get("retry-after"))
        if got.status >= 400:
            res.error_class, res.error = f"http_{got.status}", f"HTTP {got.status} from {url}"
        elif got.status in REDIRECTS:
            res.error_class, res.error = "bad_redirect", f"HTTP {got.status} from {url} without a Location header"
        elif 200 <= got.status < 300 and res.nbytes == 0:
            res.error_class, res.error = "empty_body", f"HTTP {got.status} from {url} with an empty body"
        return res

    def finish(self, job: _Job, got: _Response | None, failure: _Failure | None) -> None:
        if job.fetched_at is None:  # decided without a request (robots.txt, a closed host): still dated
            job.started, job.fetched_at = time.monotonic(), datetime.now(UTC)
        res = self._result(job, job.url, got, failure)
        with self.lock:
            self.results[job.index] = res
        if self.progress is not None:
            # Serialised, but outside the results lock: a callback that parses the document (to
            # overlap parsing with the waits politeness imposes) holds up no other worker's result.
            with self.progress_lock:
                try:
                    self.progress(res)
                except Exception:  # noqa: BLE001 - a progress callback's bug must not lose results
                    log.exception("fetch progress callback failed")
