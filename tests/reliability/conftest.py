"""Shared tools for the reliability tests: a private newsroom, small feed files, runs in forked
processes that a failpoint can SIGKILL, and the README's DuckDB query."""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.conftest import HOUR

if TYPE_CHECKING:
    from newsflow.newsroom.server import NewsroomServer

ALL_FEEDS = (
    "/daily-herald/rss.xml",
    "/daily-herald/index.rdf",
    "/metro-wire/atom.xml",
    "/metro-wire/full.rss",
    "/globe-post/feed.json",
    "/globe-post/news-sitemap.xml",
)
SITE_OF = {path: path.split("/")[1] for path in ALL_FEEDS}


@pytest.fixture(scope="module", autouse=True)
def warm_models():
    """Load spaCy and Great Expectations once in the test process, so forked runs inherit them."""
    from newsflow.facts.model import load_model
    from newsflow.validate import _context

    load_model()
    _context()


@contextmanager
def private_newsroom() -> Iterator[NewsroomServer]:
    """A newsroom of its own at HOUR (no 1 s slow page), which its user may stop, move or revise."""
    from newsflow.newsroom.server import NewsroomServer, NewsroomState

    server = NewsroomServer(0, NewsroomState(clock=HOUR, slow_seconds=0)).start_background()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def quick_newsroom():
    """A newsroom for the module, so it can stop and restart it."""
    with private_newsroom() as server:
        yield server


def write_feeds(path: Path, base: str, feeds: Sequence[str] = ALL_FEEDS, down: Sequence[str] = ()) -> Path:
    """A feeds.yaml for ``feeds`` at ``base``; feeds of the sites in ``down`` point at a closed port."""
    lines = ["fetch: {allow_networks: [127.0.0.0/8]}", "feeds:"]
    for feed in feeds:
        host = "http://127.0.0.1:9" if SITE_OF[feed] in down else base
        name = feed.strip("/").replace("/", "-").rsplit(".", 1)[0]
        lines.append(f"  - {{name: {name}, url: '{host}{feed}', site: {SITE_OF[feed]}}}")
    path.write_text("\n".join(lines) + "\n")
    return path


def run_in_child(argv: list[str], failpoint: str | None = None) -> int:
    """``newsflow <argv>`` in a forked process (which inherits the loaded model, so it starts in
    milliseconds); returns its exit status, or minus the signal that killed it."""
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # the child: a real newsflow run, ended by its failpoint or by its own exit
        code = 70
        try:
            if failpoint:
                os.environ["NEWSFLOW_FAILPOINT"] = failpoint
            from newsflow.cli import main

            code = main(argv)
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    return -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)


KILLED = -signal.SIGKILL


def readme_query(data: Path) -> tuple[int, int]:
    """The README's DuckDB query over every published article: (rows, distinct article ids)."""
    import duckdb

    if not any((data / "articles").glob("*/*/*.parquet")):
        return 0, 0
    glob = str(data / "articles" / "*" / "*" / "*.parquet")
    ((rows, distinct),) = duckdb.sql(
        f"SELECT count(*), count(DISTINCT article_id) FROM read_parquet('{glob}', hive_partitioning=true)"
    ).fetchall()
    return int(rows), int(distinct)


def content_of(data: Path, hour=HOUR, sightings: bool = True) -> dict[str, object]:
    """What must be equal between a clean run and a recovered one: the rows' content, not run ids.

    ``sightings=False`` leaves out which feed entries the hour saw: they depend on which feeds were
    due that hour, which a run history with failures and reruns changes (a rerun fetches every feed)."""
    from newsflow import storage

    articles = storage.read_partition(data, "articles", hour)
    facts = storage.read_partition(data, "facts", hour)
    quarantine = storage.read_partition(data, "quarantine", hour)
    seen = storage.read_partition(data, "sightings", hour)
    assert articles is not None and facts is not None and quarantine is not None, "the hour is not published"
    assert seen is not None, "the hour is published without sightings"
    content = {
        "articles": sorted(
            (a["article_id"], a["version"], a["content_hash"], a["story_id"], a["duplicate_of"], a["title"])
            for a in articles.to_pylist()
        ),
        "facts": sorted(facts.column("fact_id").to_pylist()),
        "quarantine": sorted(q["record_id"] or "" for q in quarantine.to_pylist()),
    }
    if sightings:
        content["sightings"] = sorted((s["article_id"], s["feed"], s["entry_url"]) for s in seen.to_pylist())
    return content


def feeds_of_articles(data: Path) -> set[tuple[str, str]]:
    """Every (article, feed) pair any hour's sightings hold: which feeds carried each article."""
    import duckdb

    glob = str(data / "sightings" / "*" / "*" / "*.parquet")
    return set(duckdb.sql(f"SELECT DISTINCT article_id, feed FROM read_parquet('{glob}')").fetchall())


RunFn = Callable[..., int]
