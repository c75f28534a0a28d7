"""The fetcher against the newsroom's error and hostile endpoints: every failure is a recorded class."""

from dataclasses import replace

import pytest

from newsflow.config import Settings
from newsflow.fetch import AddressGuard, BlockedAddress, Fetcher
from newsflow.newsroom.content import load_articles


@pytest.fixture
def fetcher():
    settings = Settings(connect_timeout=2, read_timeout=2, total_timeout=4, max_bytes=2 * 1024 * 1024, max_redirects=3)
    with Fetcher(settings, allow_networks=["127.0.0.0/8"]) as f:
        yield f


def test_ok_page(newsroom, fetcher):
    res = fetcher.fetch(newsroom.base_url + "/daily-herald/rss.xml")
    assert res.ok and res.status == 200 and res.body.startswith(b"<?xml")
    assert "rss" in res.content_type


@pytest.mark.parametrize("status", [404, 500, 503])
def test_http_errors(newsroom, fetcher, status):
    res = fetcher.fetch(f"{newsroom.base_url}/errors/{status}")
    assert not res.ok and res.status == status and res.error_class == f"http_{status}"


def test_redirect_loop_is_cut(newsroom, fetcher):
    res = fetcher.fetch(newsroom.base_url + "/hostile/redirect-loop")
    assert res.error_class == "too_many_redirects"


def test_redirect_into_metadata_service_is_blocked(newsroom, fetcher):
    res = fetcher.fetch(newsroom.base_url + "/hostile/redirect-private")
    assert res.error_class == "blocked_address"
    assert "169.254.169.254" in res.error


def test_loopback_blocked_unless_allowed(newsroom):
    with Fetcher(Settings()) as strict:
        res = strict.fetch(newsroom.base_url + "/daily-herald/rss.xml")
    assert res.error_class == "blocked_address" and "allow_networks" in res.error


def test_huge_body_is_cut_while_streaming(newsroom, fetcher):
    res = fetcher.fetch(newsroom.base_url + "/hostile/huge")
    assert res.error_class == "too_large"
    assert len(res.body) == 0


def test_gzip_bomb_is_cut(newsroom, fetcher):
    res = fetcher.fetch(newsroom.base_url + "/hostile/gzip-bomb")
    assert res.error_class == "too_large"


def test_drip_hits_total_deadline(newsroom):
    settings = Settings(read_timeout=3, total_timeout=2.5)
    with Fetcher(settings, allow_networks=["127.0.0.0/8"]) as f:
        res = f.fetch(newsroom.base_url + "/hostile/drip")
    assert res.error_class == "timeout" and res.seconds < 6


def test_read_timeout_on_slow_page(newsroom):
    settings = replace(Settings(), read_timeout=0.3, total_timeout=5)
    with Fetcher(settings, allow_networks=["127.0.0.0/8"]) as f:
        res = f.fetch(newsroom.base_url + next(a.path for a in load_articles() if a.kind == "slow"))
    assert res.error_class == "timeout"


def test_connection_refused_is_recorded(fetcher):
    res = fetcher.fetch("http://127.0.0.1:9/nothing-listens-here")
    assert res.error_class == "connection_error"


def test_fetch_many_keeps_order_and_isolates_failures(newsroom, fetcher):
    urls = [newsroom.base_url + p for p in ("/errors/500", "/daily-herald/rss.xml", "/hostile/redirect-loop")]
    results = fetcher.fetch_many(urls)
    assert [r.url for r in results] == urls
    assert [r.error_class for r in results] == ["http_500", None, "too_many_redirects"]


@pytest.mark.parametrize(
    "url",
    ["ftp://example.com/x", "file:///etc/passwd", "http://10.0.0.1/", "http://[::1]/", "http://169.254.169.254/latest"],
)
def test_guard_refuses_non_public_targets(url):
    with pytest.raises(BlockedAddress):
        AddressGuard().check(url)
