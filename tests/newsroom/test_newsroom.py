"""The sample newsroom: enough content of every kind, deterministic bytes, clock-driven feeds."""

from collections import Counter

import httpx

from newsflow.newsroom.content import load_articles
from newsflow.newsroom.feeds import FEEDS
from newsflow.newsroom.server import NewsroomServer, NewsroomState
from tests.conftest import HOUR


def test_content_inventory():
    articles = load_articles()
    kinds = Counter(a.kind for a in articles)
    assert len(articles) >= 41  # 40+ pages plus the 404
    assert kinds["seed"] == 1 and kinds["paywalled"] == 1 and kinds["video"] == 1
    assert kinds["gone"] == 1 and kinds["slow"] == 1 and kinds["syndicated"] == 3
    assert {a.language for a in articles} >= {"en", "de", "es"}
    groups = Counter(a.syndication_group for a in articles if a.syndication_group)
    assert max(groups.values()) == 3
    assert len({a.path for a in articles}) == len(articles)
    assert len(FEEDS) >= 6


def test_every_article_is_in_some_feed(newsroom):
    linked = set()
    for path in FEEDS:
        body = httpx.get(newsroom.base_url + path).text
        linked |= {a.path for a in load_articles() if a.path in body}
    assert linked == {a.path for a in load_articles()}


def test_same_clock_same_bytes():
    first = NewsroomServer(0, NewsroomState(clock=HOUR)).start_background()
    second = NewsroomServer(0, NewsroomState(clock=HOUR)).start_background()
    try:
        for path in [*FEEDS, load_articles()[0].path]:
            a = httpx.get(first.base_url + path).text.replace(first.base_url, "BASE")
            b = httpx.get(second.base_url + path).text.replace(second.base_url, "BASE")
            assert a == b, path
    finally:
        for server in (first, second):
            server.shutdown()
            server.server_close()


def test_clock_moves_publish_times():
    server = NewsroomServer(0, NewsroomState(clock=HOUR)).start_background()
    try:
        before = httpx.get(server.base_url + "/globe-post/feed.json").json()["items"][0]["date_published"]
        assert httpx.get(server.base_url + "/_newsroom/clock?set=2026-11-25T12:00").text.startswith("2026-11-25T12:00")
        after = httpx.get(server.base_url + "/globe-post/feed.json").json()["items"][0]["date_published"]
        assert before != after
    finally:
        server.shutdown()
        server.server_close()


def test_special_pages(newsroom):
    by_kind = {a.kind: a for a in load_articles()}
    assert httpx.get(newsroom.base_url + by_kind["gone"].path).status_code == 404
    assert httpx.get(newsroom.base_url + "/no/such/page").status_code == 404
    assert httpx.get(newsroom.base_url + "/errors/503?retry_after=7").headers["retry-after"] == "7"
    seed_page = httpx.get(newsroom.base_url + by_kind["seed"].path).text
    assert "Update hourly" in seed_page and "cookie" in seed_page.lower()


def test_only_loopback():
    import pytest

    with pytest.raises(ValueError):
        NewsroomServer(0, host="0.0.0.0")
