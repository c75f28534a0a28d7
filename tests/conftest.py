"""Shared fixtures: the sample newsroom on loopback, a feeds file for it, a fresh data root."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SEED_TXT = SHARED / "seed" / "000_12c0a9a5949581f2.txt"
SEED_FACTS = SHARED / "seed" / "expected-facts.json"
HOUR = datetime(2026, 11, 25, 10, tzinfo=UTC)

os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
# The newsroom is one loopback host: without this every page would wait the 1 s per-host politeness
# delay meant for real publishers (tests/fetch measures that delay with settings of its own).
os.environ.setdefault("NEWSFLOW_HOST_DELAY", "0")


@pytest.fixture(scope="session")
def newsroom():
    """The newsroom at 127.0.0.1:<free port>, its clock at HOUR; slow pages take 1 s."""
    from newsflow.newsroom.server import NewsroomServer, NewsroomState

    server = NewsroomServer(0, NewsroomState(clock=HOUR, slow_seconds=1.0)).start_background()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def feeds_file(newsroom, tmp_path_factory) -> Path:
    from newsflow.newsroom.feeds import feeds_yaml

    path = tmp_path_factory.mktemp("feeds") / "feeds.yaml"
    path.write_text(feeds_yaml(newsroom.base_url), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def three_hosts_feeds(tmp_path_factory) -> Path:
    """A feeds file for the newsroom on three loopback addresses, one site on each: three hosts, so
    the fetch stages have three shards to split (no slow pages)."""
    from newsflow.newsroom.feeds import FEEDS, feeds_yaml
    from newsflow.newsroom.server import NewsroomServer, NewsroomState

    sites = sorted({site for site, _ in FEEDS.values()})
    servers = {
        site: NewsroomServer(0, NewsroomState(clock=HOUR, slow_seconds=0), host=f"127.0.0.{i}").start_background()
        for i, site in enumerate(sites, 1)
    }
    feeds = tmp_path_factory.mktemp("three-hosts") / "feeds.yaml"
    bases = {site: server.base_url for site, server in servers.items()}
    feeds.write_text(feeds_yaml(bases[sites[0]], bases), encoding="utf-8")
    yield feeds
    for server in servers.values():
        server.shutdown()
        server.server_close()


@pytest.fixture
def settings(tmp_path, feeds_file):
    from newsflow.config import Settings

    return Settings.from_env(data_root=tmp_path / "data", feeds_file=feeds_file)


@pytest.fixture(scope="session")
def seed_text() -> str:
    return SEED_TXT.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def published_hour(feeds_file, tmp_path_factory):
    """One full cycle of HOUR over the newsroom, shared read-only by every test that inspects a
    published hour (tests that rerun or change an hour make their own data root)."""
    from newsflow.config import Settings
    from newsflow.context import RunContext
    from newsflow.cycle import run_cycle

    settings = Settings.from_env(data_root=tmp_path_factory.mktemp("published") / "data", feeds_file=feeds_file)
    ctx = RunContext.create(HOUR, settings)
    run_cycle(ctx)
    return settings, ctx


def stage_no_fetches(ctx) -> None:
    """Stage what the fetch stages leave when nothing was fetched, for tests that start a run at
    extract or later with rows of their own."""
    from newsflow import storage

    for k in range(ctx.shards):
        ctx.save(f"fetches-feeds.shard{k}", storage.to_table("fetches", []))
        ctx.save(f"fetches-pages.shard{k}", storage.to_table("fetches", []))
        ctx.save(f"entries.shard{k}", storage.ENTRIES.empty_table())
