"""Feed parsing: every newsroom format, bad documents as clean errors, and the feedparser corpus."""

from pathlib import Path

import httpx
import pytest

from newsflow.newsroom.feeds import FEEDS
from newsflow.sources.parse import parse_datetime, parse_feed

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpora" / "feedparser-tests"
EXPECTED_FORMATS = {
    "/daily-herald/rss.xml": "rss20",
    "/daily-herald/index.rdf": "rss10",
    "/metro-wire/atom.xml": "atom10",
    "/metro-wire/full.rss": "rss20",
    "/globe-post/feed.json": "json11",
    "/globe-post/news-sitemap.xml": "sitemap",
}


@pytest.mark.parametrize("path", sorted(FEEDS))
def test_newsroom_feed_formats(newsroom, path):
    body = httpx.get(newsroom.base_url + path).content
    parsed = parse_feed(body, newsroom.base_url + path)
    assert parsed.error_class is None
    assert parsed.format == EXPECTED_FORMATS[path]
    assert len(parsed.entries) >= 6
    for entry in parsed.entries:
        assert entry.link.startswith(newsroom.base_url)
        assert entry.published is not None and entry.published.tzinfo is not None
        assert entry.title


def test_content_encoded_is_kept(newsroom):
    parsed = parse_feed(httpx.get(newsroom.base_url + "/metro-wire/full.rss").content)
    assert len(parsed.entries) >= 6
    assert all(e.content and "<p>" in e.content for e in parsed.entries)


def test_rdf_feed_carries_a_tracking_link(newsroom):
    parsed = parse_feed(httpx.get(newsroom.base_url + "/daily-herald/index.rdf").content)
    assert any("utm_source=" in e.link for e in parsed.entries)


@pytest.mark.parametrize(
    ("path", "error_class"),
    [
        ("/hostile/malformed.xml", {"malformed_feed", "not_a_feed"}),
        ("/hostile/html-as-feed.xml", {"not_a_feed"}),
        ("/hostile/empty.xml", {"empty_document"}),
    ],
)
def test_bad_documents_are_errors_not_crashes(newsroom, path, error_class):
    parsed = parse_feed(httpx.get(newsroom.base_url + path).content)
    assert parsed.error_class in error_class
    assert parsed.error


def test_cp1252_declared_utf8_still_yields_entries(newsroom):
    parsed = parse_feed(httpx.get(newsroom.base_url + "/hostile/cp1252-as-utf8.xml").content)
    assert len(parsed.entries) == 1


def test_json_that_is_not_a_feed():
    assert parse_feed(b'{"hello": 1}').error_class == "not_a_feed"
    assert parse_feed(b"{not json").error_class == "malformed_feed"


def test_sitemap_index_lists_children():
    doc = (
        b'<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        b"<sitemap><loc>https://example.com/s1.xml</loc></sitemap></sitemapindex>"
    )
    parsed = parse_feed(doc)
    assert parsed.format == "sitemapindex" and parsed.children == ["https://example.com/s1.xml"]


def test_sitemap_entities_are_not_expanded():
    doc = (
        b'<?xml version="1.0"?><!DOCTYPE u [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>https://e.com/&x;</loc></url></urlset>'
    )
    parsed = parse_feed(doc)
    # Either the document is refused with a reason, or its entry is kept without the file's contents.
    assert parsed.error_class or parsed.entries
    assert all("root:" not in e.link for e in parsed.entries)


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("2026-11-25T10:00:00Z", "2026-11-25T10:00:00+00:00"),
        ("Tue, 25 Nov 2026 10:00:00 GMT", "2026-11-25T10:00:00+00:00"),
        ("November 19, 2019, 07:47 PM EST", "2019-11-20T00:47:00+00:00"),
        ("2026-11-25", "2026-11-25T00:00:00+00:00"),
    ],
)
def test_parse_datetime(text, iso):
    assert parse_datetime(text).isoformat() == iso


def test_parse_datetime_garbage():
    assert parse_datetime("not a date") is None and parse_datetime(None) is None


def test_feedparser_corpus_never_crashes():
    files = sorted(p for p in CORPUS.rglob("*") if p.is_file() and p.name != "LICENSE")
    assert len(files) >= 2100, f"feedparser corpus not found or incomplete at {CORPUS}"
    outcomes = {}
    wellformed_errors = []
    for path in files:
        parsed = parse_feed(path.read_bytes(), "http://example.com/feed")
        outcomes[parsed.error_class] = outcomes.get(parsed.error_class, 0) + 1
        if parsed.error_class and "wellformed" in path.parts:
            wellformed_errors.append(path.relative_to(CORPUS).as_posix())
    assert sum(outcomes.values()) == len(files) == 2107
    assert outcomes.get("parse_error", 0) == 0, outcomes  # the catch-all must never be needed
    # Every well-formed RSS/Atom/JSON file parses; only the obsolete CDF format is refused.
    assert all(p.startswith("wellformed/cdf/") for p in wellformed_errors), wellformed_errors


def test_billion_laughs_is_not_expanded(newsroom):
    import time

    body = httpx.get(newsroom.base_url + "/hostile/billion-laughs.xml").content
    started = time.monotonic()
    parsed = parse_feed(body)
    assert time.monotonic() - started < 10
    assert parsed.error_class or parsed.entries
    assert all(len(e.title or "") < 1000 for e in parsed.entries)


def test_external_entities_are_not_resolved(newsroom):
    parsed = parse_feed(httpx.get(newsroom.base_url + "/hostile/xxe.xml").content)
    assert parsed.error_class or parsed.entries
    assert all("root:" not in (e.title or "") for e in parsed.entries)


@pytest.mark.parametrize("placeholder", ["0001-01-01T00:00:00Z", "1970-01-01T00:00:00Z", "0001-01-01"])
def test_placeholder_dates_are_not_dates(placeholder):
    assert parse_datetime(placeholder) is None
