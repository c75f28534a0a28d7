"""``newsflow feeds …`` through argparse exactly as the CLI registers it, against the newsroom."""

from __future__ import annotations

import argparse
import json
from datetime import timedelta

import httpx
import pytest

from newsflow.sources.commands import add_parser
from newsflow.sources.discover import discover_feeds, feed_links, guess_urls
from newsflow.sources.registry import load_registry
from tests.conftest import HOUR


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="newsflow")
    sub = parser.add_subparsers(dest="command", required=True)
    add_parser(sub)
    args = parser.parse_args(argv)
    return args.func(args)


@pytest.fixture(autouse=True)
def _no_politeness_wait(monkeypatch):
    monkeypatch.setenv("NEWSFLOW_HOST_DELAY", "0")


def test_parse_json_contract(newsroom, tmp_path, capsys):
    feed = tmp_path / "rss.xml"
    feed.write_bytes(httpx.get(newsroom.base_url + "/daily-herald/rss.xml").content)
    garbage = tmp_path / "garbage.bin"
    garbage.write_bytes(b"\x00\xff not a feed \x89PNG")
    empty = tmp_path / "empty.xml"
    empty.write_bytes(b"")
    files = [str(feed), str(garbage), str(tmp_path / "missing.xml"), str(tmp_path), str(empty)]
    assert run(["feeds", "parse", *files, "--json"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    entries = [line for line in lines if line["path"] == str(feed)]
    assert len(entries) >= 6
    for entry in entries:
        assert set(entry) == {"path", "title", "link", "published", "id"}
        assert entry["link"].startswith(newsroom.base_url) and entry["published"].endswith("+00:00")
    errors = {line["path"]: line for line in lines if "error" in line}
    assert set(errors) == set(files[1:])
    for error in errors.values():
        assert set(error) == {"path", "error", "error_class"} and error["error"]


def test_parse_human_output(newsroom, tmp_path, capsys):
    feed = tmp_path / "feed.json"
    feed.write_bytes(httpx.get(newsroom.base_url + "/globe-post/feed.json").content)
    assert run(["feeds", "parse", str(feed)]) == 0
    out = capsys.readouterr().out
    assert out.count(str(feed)) >= 6 and "Traceback" not in out


def test_discovery_from_link_tags(newsroom):
    from newsflow.fetch import FetchSettings, HttpFetcher

    settings = FetchSettings(allow_networks=("127.0.0.0/8",), host_delay=0)
    with HttpFetcher(settings) as fetcher:
        found = discover_feeds(newsroom.base_url + "/home/metro-wire/", fetcher)
        bare = discover_feeds(newsroom.base_url + "/bare/", fetcher)
        itself = discover_feeds(newsroom.base_url + "/daily-herald/rss.xml", fetcher)
    assert [(f.url.removeprefix(newsroom.base_url), f.kind, f.source) for f in found] == [
        ("/metro-wire/atom.xml", "atom", "link"),
        ("/metro-wire/full.rss", "rss", "link"),
    ]
    assert [(f.url.removeprefix(newsroom.base_url), f.source) for f in bare] == [("/bare/rss.xml", "guess")]
    assert itself[0].source == "self" and itself[0].entries >= 6


def test_feed_links_and_guesses_are_resolved():
    html = (
        b'<html><head><base href="https://cdn.example/site/"><link rel="alternate" type="application/rss+xml" '
        b'href="feed.xml" title="Main"><link rel="alternate" type="text/html" href="/other">'
        b'<link rel="alternate feed" type="application/atom+xml" href="https://x.example/atom"></head></html>'
    )
    assert feed_links(html, "https://www.example/") == [
        ("https://cdn.example/site/feed.xml", "Main"),
        ("https://x.example/atom", None),
    ]
    guesses = guess_urls("https://e.example/news/index.html")
    assert guesses[0] == "https://e.example/news/feed" and "https://e.example/rss.xml" in guesses


def test_add_appends_the_discovered_feed(newsroom, tmp_path, capsys):
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text("# mine\nfetch:\n  allow_networks: [127.0.0.0/8]\nfeeds:\n")
    assert run(["feeds", "add", newsroom.base_url + "/home/daily-herald/", "--feeds", str(feeds)]) == 0
    assert run(["feeds", "add", newsroom.base_url + "/bare/", "--feeds", str(feeds), "--name", "bare"]) == 0
    registry = load_registry(feeds)
    assert [(f.name, f.url.removeprefix(newsroom.base_url)) for f in registry.feeds] == [
        ("the-daily-herald-rss", "/daily-herald/rss.xml"),
        ("bare", "/bare/rss.xml"),
    ]
    assert feeds.read_text().startswith("# mine")
    assert run(["feeds", "add", newsroom.base_url + "/home/daily-herald/", "--feeds", str(feeds)]) == 0
    assert "nothing added" in capsys.readouterr().out
    assert len(load_registry(feeds).feeds) == 2


def test_add_reports_a_site_without_feeds(newsroom, tmp_path, capsys):
    feeds = tmp_path / "feeds.yaml"
    code = run(
        ["feeds", "add", newsroom.base_url + "/errors/404", "--feeds", str(feeds), "--allow-network", "127.0.0.0/8"]
    )
    assert code == 1 and "http_404" in capsys.readouterr().err and not feeds.exists()


def test_list_shows_each_feeds_state(tmp_path, capsys):
    from newsflow.fetch.settings import FetchSettings
    from newsflow.fetch.state import FetchState, state_path

    feeds = tmp_path / "feeds.yaml"
    feeds.write_text(
        "feeds:\n  - {name: good, url: 'https://good.example/rss'}\n  - {name: bad, url: 'https://bad.example/rss'}\n"
        "  - {name: new, url: 'https://new.example/rss', enabled: false}\n"
    )
    data = tmp_path / "data"
    with FetchState(state_path(data), FetchSettings()) as state:
        for offset in range(3):
            hour = HOUR + timedelta(hours=offset)
            rows = [
                {"url": "https://good.example/rss", "kind": "feed", "status": 200, "items_per_day": 12.0},
                {"url": "https://bad.example/rss", "kind": "feed", "status": 503, "error_class": "http_503"},
            ]
            state.record_hour(hour, rows)
    at = (HOUR + timedelta(hours=2)).isoformat()
    assert run(["feeds", "list", "--feeds", str(feeds), "--data", str(data), "--at", at, "--json"]) == 0
    rows = {r["name"]: r for r in map(json.loads, capsys.readouterr().out.splitlines())}
    assert rows["good"]["last_success"].startswith("2026-11-25T12") and rows["good"]["items_per_day"] == 12.0
    assert rows["good"]["next_due"] and rows["good"]["last_error"] is None
    assert rows["bad"]["last_error"] == "http_503" and rows["bad"]["failing_hours"] >= 2
    assert rows["new"]["last_success"] is None and rows["new"]["enabled"] is False
    assert run(["feeds", "list", "--feeds", str(feeds), "--data", str(data), "--at", at]) == 0
    table = capsys.readouterr().out
    assert "good" in table and "http_503" in table and "(off)" in table


def test_opml_import_and_export(tmp_path, capsys):
    opml = tmp_path / "subs.opml"
    opml.write_text(
        '<opml version="2.0"><body><outline text="Tech"><outline text="A Feed" xmlUrl="https://a.example/rss"/>'
        "</outline></body></opml>"
    )
    feeds = tmp_path / "feeds.yaml"
    assert run(["feeds", "import-opml", str(opml), "--feeds", str(feeds)]) == 0
    assert [(f.name, f.tags) for f in load_registry(feeds).feeds] == [("a-feed", ("Tech",))]
    capsys.readouterr()
    assert run(["feeds", "export-opml", "--feeds", str(feeds)]) == 0
    assert 'xmlUrl="https://a.example/rss"' in capsys.readouterr().out
    assert run(["feeds", "import-opml", str(tmp_path / "nope.opml"), "--feeds", str(feeds)]) == 1
