"""The connection layer under the HTTP client: pinned addresses and a deadline on every socket call.

Two gaps of a stock client are closed here, below HTTP:

- **DNS rebinding.** A new connection resolves its host exactly once, through the
  :class:`AddressGuard`, and connects to the addresses that were checked; nothing resolves the
  name again behind the guard's back.
- **Total deadline.** A read timeout bounds each ``recv``, so a server trickling its headers one
  byte a second never trips it. Every read, write and connect here is clamped to the time left
  before the current exchange's deadline (a context variable set by the client), so headers and
  body together cannot outlast ``total_timeout``.

It also counts the bytes each exchange receives, which is what "transferred" means in reports.
"""

from __future__ import annotations

import contextvars
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpcore

from newsflow.fetch.guard import AddressGuard


@dataclass
class Exchange:
    """Per-exchange accounting, visible to the sockets of the thread running it."""

    deadline: float
    received: int = 0


_current: contextvars.ContextVar[Exchange | None] = contextvars.ContextVar("newsflow_exchange", default=None)


@contextmanager
def exchange(deadline: float) -> Iterator[Exchange]:
    """Run one HTTP exchange under an absolute ``time.monotonic()`` deadline."""
    state = Exchange(deadline)
    token = _current.set(state)
    try:
        yield state
    finally:
        _current.reset(token)


def _clamp(timeout: float | None, error: type[Exception]) -> float | None:
    state = _current.get()
    if state is None:
        return timeout
    left = state.deadline - time.monotonic()
    if left <= 0:
        raise error("total deadline reached")
    return left if timeout is None else min(timeout, left)


class DeadlineStream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self.inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        data = self.inner.read(max_bytes, _clamp(timeout, httpcore.ReadTimeout))
        state = _current.get()
        if state is not None:
            state.received += len(data)
        return data

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self.inner.write(buffer, _clamp(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self.inner.close()

    def start_tls(
        self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        # TLS verifies the certificate against the URL's host name (server_hostname), not the IP we dialled.
        inner = self.inner.start_tls(ssl_context, server_hostname, _clamp(timeout, httpcore.ConnectTimeout))
        return DeadlineStream(inner)

    def get_extra_info(self, info: str) -> Any:
        return self.inner.get_extra_info(info)


class PinnedBackend(httpcore.NetworkBackend):
    """Resolve once through the guard, connect to a vetted address, wrap the socket with the deadline."""

    def __init__(self, guard: AddressGuard) -> None:
        self.guard = guard
        self.inner = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        addresses = self.guard.vet(host, port)  # raises BlockedAddress / ResolveError
        last: Exception | None = None
        for address in addresses:
            try:
                stream = self.inner.connect_tcp(
                    address,
                    port,
                    timeout=_clamp(timeout, httpcore.ConnectTimeout),
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc
                continue
            return DeadlineStream(stream)
        assert last is not None
        raise last

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        raise httpcore.ConnectError("unix sockets are not fetched")

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)
