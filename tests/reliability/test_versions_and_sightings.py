"""Updates and sightings through whole hourly runs over the newsroom.

A publisher updates an article after we published it: a later hour downloads the page again
(its feed entry says it changed) and publishes the same ``article_id`` as ``version`` 2, with the
same story and facts of its own; every hour keeps one ``sightings`` row per feed that carried each
link. Reruns, replays and a backfill of an earlier hour keep every id and version.
"""

from __future__ import annotations

import urllib.parse
import urllib.request
from collections import Counter
from datetime import timedelta
from pathlib import Path

import duckdb
import pytest

from newsflow import storage
from newsflow.cli import main
from newsflow.newsroom.server import NewsroomServer
from newsflow.report import summarize
from tests.conftest import HOUR
from tests.reliability.conftest import content_of, private_newsroom, write_feeds

ARTICLE = "/daily-herald/politics/council-approves-transit-budget"
UPDATE = "Update: the mayor signed the budget ordinance on Friday morning, two days ahead of schedule."
LATER = HOUR + timedelta(hours=3)  # the default update interval: a page is not downloaded again sooner


@pytest.fixture
def newsroom():
    """Each test moves the clock or revises articles: a newsroom of its own."""
    with private_newsroom() as server:
        yield server


def _control(server: NewsroomServer, route: str, **query: str) -> None:
    with urllib.request.urlopen(f"{server.base_url}{route}?{urllib.parse.urlencode(query)}") as response:
        assert response.status == 200


def _run(data: Path, feeds: Path, hour, *extra: str) -> int:
    return main(["run", "--logical-date", hour.isoformat(), "--data", str(data), "--feeds", str(feeds), *extra])


def _articles(data: Path) -> list[tuple]:
    glob = str(data / "articles" / "*" / "*" / "*.parquet")
    return duckdb.sql(
        f"SELECT article_id, version, story_id, hour, body FROM read_parquet('{glob}', hive_partitioning=true)"
    ).fetchall()


def test_an_updated_article_becomes_version_2_in_a_later_hour_and_every_feed_entry_is_a_sighting(newsroom, tmp_path):
    feeds = write_feeds(tmp_path / "feeds.yaml", newsroom.base_url)
    data = tmp_path / "data"
    assert _run(data, feeds, HOUR, "--live") == 0
    first = {row[0]: row for row in _articles(data)}
    target = next(row for row in first.values() if row[4] and "Blue Line" in row[4] and row[1] == 1)
    article_id = target[0]

    # An hour later nothing changed and the interval has not passed: no page is downloaded again,
    # but the feeds fetched that hour still list the links: sightings of published articles only.
    _control(newsroom, "/_newsroom/clock", set=(HOUR + timedelta(hours=1)).isoformat())
    assert _run(data, feeds, HOUR + timedelta(hours=1), "--live") == 0
    quiet = summarize(data, HOUR + timedelta(hours=1))
    assert quiet["articles"] == 0
    quiet_sightings = storage.read_partition(data, "sightings", HOUR + timedelta(hours=1))
    assert quiet_sightings is not None and quiet_sightings.num_rows > 0
    assert set(quiet_sightings.column("article_id").to_pylist()) <= set(first)

    _control(newsroom, "/_newsroom/revise", path=ARTICLE, text=UPDATE)
    _control(newsroom, "/_newsroom/clock", set=LATER.isoformat())
    assert _run(data, feeds, LATER, "--live") == 0
    later = storage.read_partition(data, "articles", LATER)
    assert later is not None
    rows = later.to_pylist()
    # Only the changed page is a new row; the others were downloaded again and found unchanged.
    assert [(r["article_id"], r["version"], r["story_id"]) for r in rows] == [(article_id, 2, target[2])]
    assert UPDATE in rows[0]["body"] and rows[0]["content_hash"] != first[article_id][4]
    facts = storage.read_partition(data, "facts", LATER)
    assert facts is not None and facts.num_rows > 0
    assert set(facts.column("version").to_pylist()) == {2} and set(facts.column("article_id").to_pylist()) == {
        article_id
    }
    first_facts = storage.read_partition(data, "facts", HOUR)
    assert first_facts is not None
    assert not set(facts.column("fact_id").to_pylist()) & set(first_facts.column("fact_id").to_pylist())
    runs = summarize(data, LATER)
    assert runs["articles"] == 1

    # Sightings: every feed that carried the article, its tracking-parameter links included.
    sightings = storage.read_partition(data, "sightings", HOUR)
    assert sightings is not None
    per_article = Counter(sightings.column("article_id").to_pylist())
    assert per_article[article_id] >= 2  # the herald's RSS and RDF feeds both list it
    feeds_of = {r["feed"] for r in sightings.to_pylist() if r["article_id"] == article_id}
    assert feeds_of == {"daily-herald-rss", "daily-herald-index"}
    published_ids = {r[0] for r in first.values()}
    assert set(per_article) >= published_ids  # every published article was seen in some feed

    # (article_id, version) is unique over all hours; the article has its two versions.
    everything = _articles(data)
    assert len(everything) == len({(r[0], r[1]) for r in everything})
    assert sorted((r[1], r[3]) for r in everything if r[0] == article_id) == [(1, HOUR.hour), (2, LATER.hour)]

    # Replays of every hour (the default for recorded hours) give the same rows, offline.
    before = {hour: content_of(data, hour) for hour in (HOUR, LATER)}
    requests = newsroom.state.requests
    for hour in (HOUR, HOUR + timedelta(hours=1), LATER):
        assert _run(data, feeds, hour) == 0
    assert newsroom.state.requests == requests
    assert {hour: content_of(data, hour) for hour in (HOUR, LATER)} == before


def test_a_backfill_of_an_earlier_hour_leaves_articles_to_the_hour_that_holds_their_first_version(newsroom, tmp_path):
    feeds = write_feeds(tmp_path / "feeds.yaml", newsroom.base_url, feeds=["/daily-herald/rss.xml"])
    data = tmp_path / "data"
    assert _run(data, feeds, HOUR, "--live") == 0
    published = summarize(data, HOUR)["articles"]
    assert published >= 5
    earlier = HOUR - timedelta(hours=2)
    assert _run(data, feeds, earlier, "--live") == 0  # the same links, fetched for an earlier hour
    assert summarize(data, earlier)["articles"] == 0
    sightings = storage.read_partition(data, "sightings", earlier)
    hour_articles = storage.read_partition(data, "articles", HOUR)
    assert sightings is not None and hour_articles is not None
    # Its sightings point at the articles the later hour published.
    assert set(sightings.column("article_id").to_pylist()) >= set(hour_articles.column("article_id").to_pylist())
    rows = _articles(data)
    assert len(rows) == len({r[0] for r in rows}) == published


def test_a_feed_that_answers_not_modified_still_carries_its_entries(newsroom, tmp_path):
    feeds = write_feeds(tmp_path / "feeds.yaml", newsroom.base_url)
    data = tmp_path / "data"
    assert _run(data, feeds, HOUR, "--live") == 0
    next_hour = HOUR + timedelta(hours=1)  # the newsroom's clock stays: its feeds answer 304
    assert _run(data, feeds, next_hour, "--live") == 0
    runs = storage.read_partition(data, "runs", next_hour)
    assert runs is not None
    answered_304 = {
        r["feed"]
        for r in runs.to_pylist()
        if r["stage"] == "fetch_feeds" and r["feed"] and "not_modified" in (r["counts"] or "")
    }
    assert answered_304  # (the other feeds were not due again yet)

    def seen(hour, feed):
        table = storage.read_partition(data, "sightings", hour)
        assert table is not None
        return {(r["article_id"], r["entry_url"]) for r in table.to_pylist() if r["feed"] == feed}

    for feed in answered_304:
        assert seen(next_hour, feed) == seen(HOUR, feed) and len(seen(HOUR, feed)) >= 5, feed
