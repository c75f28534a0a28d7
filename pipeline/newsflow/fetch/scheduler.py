"""Hand out work by host: per-host pacing and concurrency without a worker ever waiting on one host.

A semaphore taken inside a pool thread makes that thread sit idle while a busy host finishes,
and a few slow publishers then hold most workers while every other host's work waits. Here the
scheduler holds one queue per host and gives a free worker the job of whichever host may be
contacted soonest: a host is eligible when fewer than ``per_host`` of its requests are in flight
and its minimum delay since the last request *start* has passed (and any retry's ``not_before``).
A worker only waits when no host at all is eligible, and then exactly until the first one is.

The scheduler knows nothing about HTTP; jobs are opaque. ``take`` returns ``None`` once every
job added has been reported ``done`` (a job re-added for a retry or redirect counts anew).
"""

from __future__ import annotations

import heapq
import itertools
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

J = TypeVar("J")


@dataclass
class _Host(Generic[J]):
    key: str
    delay: float
    queue: deque[J] = field(default_factory=deque)
    delayed: list[tuple[float, int, J]] = field(default_factory=list)  # heap of (not_before, seq, job)
    active: int = 0
    next_start: float = 0.0
    version: int = 0
    starts: int = 0

    def pending(self) -> bool:
        return bool(self.queue or self.delayed)


class HostScheduler(Generic[J]):
    def __init__(self, per_host: int, default_delay: float, clock: Callable[[], float] = time.monotonic) -> None:
        if per_host < 1:
            raise ValueError("per_host must be >= 1")
        self.per_host = per_host
        self.default_delay = default_delay
        self.clock = clock
        self._hosts: dict[str, _Host[J]] = {}
        self._ready: list[tuple[float, int, str, int]] = []  # (ready_at, seq, host, host.version)
        self._seq = itertools.count()
        self._cond = threading.Condition()
        self._outstanding = 0
        self._closed = False

    # ------------------------------------------------------------ state changes (hold the lock)

    def _host(self, key: str) -> _Host[J]:
        host = self._hosts.get(key)
        if host is None:
            host = self._hosts[key] = _Host(key, self.default_delay)
        return host

    def _refresh(self, host: _Host[J]) -> None:
        """Re-index ``host`` in the ready heap after any change (older entries become stale)."""
        host.version += 1
        if host.active >= self.per_host or not host.pending():
            return
        ready_at = host.next_start
        if not host.queue:
            ready_at = max(ready_at, host.delayed[0][0])
        heapq.heappush(self._ready, (ready_at, next(self._seq), host.key, host.version))
        self._cond.notify_all()

    # ------------------------------------------------------------ API

    def add(self, host_key: str, job: J, *, not_before: float = 0.0, front: bool = False) -> None:
        """Queue ``job`` for ``host_key``; ``not_before`` (a clock value) delays it, ``front`` puts it first."""
        with self._cond:
            host = self._host(host_key)
            if not_before > self.clock():
                heapq.heappush(host.delayed, (not_before, next(self._seq), job))
            elif front:
                host.queue.appendleft(job)
            else:
                host.queue.append(job)
            self._outstanding += 1
            self._refresh(host)

    def take(self) -> tuple[str, J] | None:
        """Block until some host may be contacted and return one of its jobs; None when all are done."""
        with self._cond:
            while True:
                if self._closed or self._outstanding == 0:
                    return None
                while self._ready and self._is_stale(self._ready[0]):
                    heapq.heappop(self._ready)
                if not self._ready:
                    self._cond.wait()
                    continue
                ready_at, _, key, _ = self._ready[0]
                now = self.clock()
                if ready_at > now:
                    self._cond.wait(ready_at - now)
                    continue
                heapq.heappop(self._ready)
                host = self._hosts[key]
                job = host.queue.popleft() if host.queue else heapq.heappop(host.delayed)[2]
                host.active += 1
                host.starts += 1
                host.next_start = now + host.delay
                self._refresh(host)
                return key, job

    def _is_stale(self, entry: tuple[float, int, str, int]) -> bool:
        host = self._hosts.get(entry[2])
        return host is None or host.version != entry[3]

    def done(self, host_key: str) -> None:
        """A job taken from ``host_key`` finished (after any follow-up job was added)."""
        with self._cond:
            host = self._hosts[host_key]
            host.active -= 1
            self._outstanding -= 1
            self._refresh(host)
            self._cond.notify_all()

    def set_delay(self, host_key: str, delay: float) -> None:
        """Change the host's minimum delay between request starts (e.g. from robots.txt Crawl-delay)."""
        with self._cond:
            host = self._host(host_key)
            if host.starts:
                host.next_start += delay - host.delay
            host.delay = delay
            self._refresh(host)

    def defer(self, host_key: str, until: float) -> None:
        """Start nothing on this host before ``until`` (a server's Retry-After applies to the host)."""
        with self._cond:
            host = self._host(host_key)
            host.next_start = max(host.next_start, until)
            self._refresh(host)

    def delay_of(self, host_key: str) -> float:
        with self._cond:
            return self._host(host_key).delay

    def close(self) -> None:
        """Wake every waiting worker and make ``take`` return None (used when a worker crashes)."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()
