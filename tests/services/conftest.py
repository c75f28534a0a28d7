"""Fixtures backed by this machine's PostgreSQL (127.0.0.1:5432) and Redis (127.0.0.1:6379)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest

from tests.services.procs import create_database, drop_database

# One Redis DB number for the Celery tests, flushed before and after use; override it if another
# program on the machine owns it.
REDIS_DB = int(os.environ.get("NEWSFLOW_TEST_REDIS_DB", "11"))


@pytest.fixture(scope="module")
def postgres_database() -> Iterator[str]:
    """A fresh, empty database; dropped (connections and all) afterwards."""
    name = f"newsflow_test_{uuid.uuid4().hex[:10]}"
    try:
        create_database(name)
    except (RuntimeError, FileNotFoundError) as exc:
        pytest.fail(f"PostgreSQL at 127.0.0.1:5432 (trust auth, user postgres) is required: {exc}")
    try:
        yield name
    finally:
        drop_database(name)


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    """``redis://127.0.0.1:6379/<REDIS_DB>``, flushed before and after the module."""
    import redis

    url = f"redis://127.0.0.1:6379/{REDIS_DB}"
    client = redis.Redis.from_url(url)
    try:
        client.flushdb()
    except redis.exceptions.RedisError as exc:
        pytest.fail(f"Redis at 127.0.0.1:6379 is required: {exc}")
    try:
        yield url
    finally:
        client.flushdb()
        client.close()
