"""A private newsroom per test for the lab tests (they change its robots.txt and switches)."""

from __future__ import annotations

import pytest

from newsflow.newsroom.lab import running
from tests.conftest import HOUR


@pytest.fixture
def lab():
    with running(clock=HOUR) as server:
        yield server
