"""Fixtures for the fetch tests: a private newsroom per test (its robots.txt, switches and request
log are the test's own) and fetch settings that do not wait a second per request."""

from __future__ import annotations

import pytest

from newsflow.fetch import FetchSettings
from newsflow.newsroom.lab import running
from tests.conftest import HOUR


@pytest.fixture
def lab():
    """A fresh newsroom on 127.0.0.1, clock at HOUR, slow pages 1 s; stopped after the test."""
    with running(clock=HOUR, slow_seconds=1.0) as server:
        yield server


@pytest.fixture
def fast() -> FetchSettings:
    """Loopback allowed, no per-host delay, quick retries, short timeouts."""
    return FetchSettings(
        allow_networks=("127.0.0.0/8",),
        host_delay=0.0,
        retries=2,
        retry_base=0.05,
        connect_timeout=2,
        read_timeout=2,
        total_timeout=4,
        max_bytes=2 * 1024 * 1024,
        max_redirects=3,
    )
