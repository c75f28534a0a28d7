"""Replay answers exactly what the hour recorded: bytes, statuses, headers, times, 304s and refusals."""

from __future__ import annotations

from datetime import UTC, datetime

import pyarrow as pa

from newsflow.fetch import FetchRequest, HttpFetcher
from newsflow.fetch.records import FETCHES_SCHEMA, NEW_COLUMNS, fetch_row, result_from_row
from newsflow.fetch.replay import ReplayFetcher
from newsflow.newsroom.content import load_articles
from newsflow.raw import RawStore


def _through_parquet_types(rows: list[dict]) -> list[dict]:
    """Rows as a reader gets them back from the dataset (pyarrow types, UTC timestamps)."""
    table = pa.Table.from_pylist([{**r, "schema_version": 1} for r in rows], schema=FETCHES_SCHEMA)
    return table.to_pylist()


def test_replay_is_exact(lab, fast, tmp_path):
    raw = RawStore(tmp_path / "raw")
    lab.state.robots = "User-agent: *\nDisallow: /errors/500\n"
    article = load_articles()[0]
    feed = lab.base_url + "/gen/busy.xml?items=12&every=10"
    requests = [
        FetchRequest(feed, kind="feed", feed="busy"),
        FetchRequest(lab.base_url + "/moved" + article.path, kind="page", feed="busy"),
        FetchRequest(lab.base_url + "/errors/404", kind="page"),
        FetchRequest(lab.base_url + "/errors/500", kind="page"),  # refused by robots.txt
        FetchRequest(lab.base_url + "/hostile/empty.xml", kind="feed"),
    ]
    with HttpFetcher(fast, raw=raw) as fetcher:
        original = fetcher.fetch_many(requests)
        etag = original[0].etag
        conditional = FetchRequest(feed, kind="feed", headers={"If-None-Match": etag})
        (not_modified,) = fetcher.fetch_many([conditional])
        robots = fetcher.take_robots_fetches()
    assert not_modified.status == 304
    recorded = [fetch_row(r, kind=r.kind, feed=r.feed, raw_ref=r.raw_ref, run_id="r1") for r in [*original, *robots]]
    recorded_304 = fetch_row(not_modified, kind="feed", feed=None, raw_ref=None, run_id="r2")
    rows = _through_parquet_types(recorded)

    with ReplayFetcher(rows, raw) as replay:
        replayed = replay.fetch_many(requests)
        replayed_robots = replay.take_robots_fetches()
    assert [r.error_class for r in replayed] == [None, None, "http_404", "robots_disallowed", "empty_body"]
    for before, after in zip(original, replayed, strict=True):
        assert after.status == before.status and after.headers == before.headers
        assert after.final_url == before.final_url and after.hops == before.hops
        assert after.fetched_at == before.fetched_at and after.fetched_at is not None
        assert after.read_body() == before.read_body()
        assert fetch_row(after, kind=after.kind, feed=after.feed, raw_ref=after.raw_ref, run_id="r1") == fetch_row(
            before, kind=before.kind, feed=before.feed, raw_ref=before.raw_ref, run_id="r1"
        )
    assert [r.url for r in replayed_robots] == [r.url for r in robots] and replayed_robots[0].status == 200

    with ReplayFetcher(_through_parquet_types([recorded_304]), raw) as replay:
        (again,) = replay.fetch_many([conditional])
    assert again.status == 304 and again.not_modified and again.etag == etag and again.read_body() == b""


def test_replay_reports_the_unrecorded_and_the_lost(tmp_path):
    raw = RawStore(tmp_path)
    when = datetime(2026, 11, 25, 10, 5, tzinfo=UTC)
    rows = [
        {
            "url": "https://a.example/rss",
            "kind": "feed",
            "status": 200,
            "raw_ref": raw.put(b"<rss/>"),
            "headers": '{"content-type": "application/rss+xml"}',
            "fetched_at": when,
        },
        {
            "url": "https://a.example/lost",
            "kind": "page",
            "status": 200,
            "raw_ref": "sha256:" + "0" * 64,
            "fetched_at": when,
        },
        {
            "url": "https://a.example/old",
            "kind": "page",
            "status": 200,
            "raw_ref": raw.put(b"<html/>"),
            "content_type": "text/html",
            "etag": '"x"',
            "fetched_at": when,
        },  # a row from before the headers column
    ]
    with ReplayFetcher(rows, raw) as fetcher:
        ok, new, lost, old = fetcher.fetch_many(
            [
                FetchRequest("https://a.example/rss", kind="feed"),
                FetchRequest("https://a.example/new"),
                FetchRequest("https://a.example/lost"),
                FetchRequest("https://a.example/old"),
            ]
        )
    assert ok.ok and ok.read_body() == b"<rss/>" and ok.content_type == "application/rss+xml" and ok.fetched_at == when
    assert new.error_class == "not_recorded" and "without --replay" in new.error
    assert lost.error_class == "raw_missing"
    assert old.headers == {"content-type": "text/html", "etag": '"x"'} and old.read_body() == b"<html/>"


def test_fetch_row_and_its_inverse_cover_the_schema(tmp_path):
    raw = RawStore(tmp_path)
    row = {
        "url": "https://a.example/x",
        "final_url": "https://b.example/x",
        "feed": "a",
        "kind": "page",
        "status": 200,
        "etag": None,
        "last_modified": None,
        "content_type": "text/html",
        "bytes": 3,
        "seconds": 0.5,
        "error_class": None,
        "error": None,
        "raw_ref": raw.put(b"abc"),
        "fetched_at": datetime(2026, 1, 1, tzinfo=UTC),
        "run_id": "r",
        "headers": '{"content-type": "text/html"}',
        "wire_bytes": 120,
        "attempts": 2,
        "hops": ["https://a.example/x"],
        "retry_after": None,
        "items": None,
        "items_per_day": None,
        "entry_fp": "e",
    }
    result = result_from_row(row, raw)
    rebuilt = fetch_row(result, kind="page", feed="a", raw_ref=row["raw_ref"], run_id="r", entry_fp="e")
    assert rebuilt == row
    assert set(rebuilt) | {"schema_version"} == set(FETCHES_SCHEMA.names)
    assert NEW_COLUMNS[0] == "headers" and "entry_fp" in NEW_COLUMNS


def test_replay_lists_the_recorded_requests(tmp_path):
    raw = RawStore(tmp_path)
    rows = [
        {"url": "https://a.example/rss", "kind": "feed", "feed": "a", "status": 304},
        {"url": "https://a.example/p1", "kind": "page", "feed": "a", "status": 200},
        {"url": "https://a.example/robots.txt", "kind": "robots", "status": 404},
        {"url": "https://b.example/rss", "kind": "feed", "feed": "b", "status": 200},
    ]
    replay = ReplayFetcher(rows, raw)
    assert [(r.url, r.feed) for r in replay.requests("feed")] == [
        ("https://a.example/rss", "a"),
        ("https://b.example/rss", "b"),
    ]
    assert [r.url for r in replay.requests("page")] == ["https://a.example/p1"]
    assert replay.fetch_many(replay.requests("feed"))[0].status == 304
