"""The newsroom's fetch lab: validators and 304s, generated feeds, flaky and moved URLs, many hosts."""

from __future__ import annotations

from datetime import timedelta

import httpx

from newsflow.newsroom.feeds import FEEDS
from newsflow.newsroom.lab import running, start_hosts, stop_hosts
from tests.conftest import HOUR


def test_every_feed_answers_conditional_gets(newsroom):
    for path in FEEDS:
        first = httpx.get(newsroom.base_url + path)
        assert first.status_code == 200 and first.headers["etag"] and first.headers["last-modified"]
        by_etag = httpx.get(newsroom.base_url + path, headers={"If-None-Match": first.headers["etag"]})
        by_date = httpx.get(newsroom.base_url + path, headers={"If-Modified-Since": first.headers["last-modified"]})
        stale = httpx.get(newsroom.base_url + path, headers={"If-None-Match": '"old"'})
        assert by_etag.status_code == 304 and by_etag.content == b"" and by_date.status_code == 304
        assert stale.status_code == 200 and stale.content == first.content


def test_generated_feed_changes_only_when_an_item_appears():
    with running(clock=HOUR) as server:
        url = server.base_url + "/gen/g.xml?items=20&every=60"
        first = httpx.get(url)
        assert first.text.count("<item>") == 20
        server.state.clock = HOUR + timedelta(minutes=30)
        assert httpx.get(url).content == first.content
        server.state.clock = HOUR + timedelta(hours=1)
        later = httpx.get(url)
        assert later.content != first.content and later.headers["etag"] != first.headers["etag"]
        big = httpx.get(server.base_url + "/gen/big.xml?items=10000&every=1")
        assert big.text.count("<item>") == 10000
        page = httpx.get(server.base_url + "/gen/g/5.html")
        assert page.status_code == 200 and "<article>" in page.text


def test_flaky_switch_moved_and_robots(lab):
    url = lab.base_url + "/flaky/x?fail=2&status=429&retry_after=3"
    codes = [httpx.get(url) for _ in range(3)]
    assert [c.status_code for c in codes] == [429, 429, 200] and codes[0].headers["retry-after"] == "3"
    assert httpx.get(lab.base_url + "/switch/s.xml").status_code == 500
    lab.state.switches["s"] = True
    assert httpx.get(lab.base_url + "/switch/s.xml").status_code == 200
    moved = httpx.get(lab.base_url + "/moved/daily-herald/rss.xml")
    assert moved.status_code == 301 and moved.headers["location"] == "/daily-herald/rss.xml"
    assert httpx.get(lab.base_url + "/robots.txt").status_code == 404  # as before, unless set
    lab.state.robots = "User-agent: *\nDisallow: /x\n"
    assert httpx.get(lab.base_url + "/robots.txt").text.startswith("User-agent")
    assert [r.path for r in lab.state.log][-1] == "/robots.txt"


def test_many_hosts_on_loopback_addresses():
    servers = start_hosts(3, clock=HOUR, latency_ms=20, latency_jitter_ms=10)
    try:
        hosts = [s.server_address[0] for s in servers]
        assert hosts == ["127.0.0.1", "127.0.0.2", "127.0.0.3"]
        for server in servers:
            assert httpx.get(server.base_url + "/daily-herald/rss.xml").status_code == 200
            assert len(server.state.log) == 1 and server.state.log[0].host.startswith(server.server_address[0])
    finally:
        stop_hosts(servers)
