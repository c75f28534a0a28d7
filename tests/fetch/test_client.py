"""The live fetcher over real loopback HTTP: every failure a recorded class, every limit enforced."""

from __future__ import annotations

import time
import tracemalloc
from dataclasses import replace

import pytest

from newsflow.fetch import AddressGuard, BlockedAddress, FetchRequest, FetchSettings, HttpFetcher, ResolveError
from newsflow.newsroom import lab as newsroom_lab
from newsflow.newsroom.content import load_articles
from newsflow.raw import RawStore


def test_ok_feed(newsroom, fast):
    with HttpFetcher(fast) as f:
        res = f.fetch(FetchRequest(newsroom.base_url + "/daily-herald/rss.xml", kind="feed"))
    assert res.ok and res.status == 200 and res.body.startswith(b"<?xml")
    assert "rss" in res.content_type and res.etag and res.last_modified
    assert res.nbytes == len(res.body) and res.wire_bytes > res.nbytes and res.attempts == 1
    assert res.fetched_at is not None and res.fetched_at.tzinfo is not None


@pytest.mark.parametrize("status", [404, 410, 500])
def test_http_errors(newsroom, fast, status):
    with HttpFetcher(replace(fast, retries=0)) as f:
        res = f.fetch(f"{newsroom.base_url}/errors/{status}")
    assert not res.ok and res.status == status and res.error_class == f"http_{status}"


def test_redirect_loop_is_cut(newsroom, fast):
    with HttpFetcher(fast) as f:
        res = f.fetch(newsroom.base_url + "/hostile/redirect-loop")
    assert res.error_class == "too_many_redirects" and len(res.hops) == fast.max_redirects + 1


def test_redirect_is_followed_and_hops_kept(newsroom, fast):
    article = load_articles()[0]
    with HttpFetcher(fast) as f:
        res = f.fetch(newsroom.base_url + "/moved" + article.path)
    assert res.ok and res.final_url == newsroom.base_url + article.path
    assert res.hops == (newsroom.base_url + "/moved" + article.path,)


def test_redirect_into_metadata_service_is_blocked(newsroom, fast):
    with HttpFetcher(fast) as f:
        res = f.fetch(newsroom.base_url + "/hostile/redirect-private")
    assert res.error_class == "blocked_address" and "169.254.169.254" in res.error


def test_loopback_blocked_unless_allowed(newsroom):
    with HttpFetcher(FetchSettings(host_delay=0)) as strict:
        res = strict.fetch(newsroom.base_url + "/daily-herald/rss.xml")
    assert res.error_class == "blocked_address" and "allow_networks" in res.error


def test_unresolvable_host_is_a_dns_error(fast):
    def no_such_host(host: str, port: int) -> list[str]:
        raise OSError(f"{host}: name or service not known")

    with HttpFetcher(fast, resolver=no_such_host) as f:
        res = f.fetch("http://no-such-host.invalid/feed")
    assert res.error_class == "dns_error"


def test_dns_rebinding_is_refused(newsroom):
    """The name answers a public address to the check and loopback to the connection: refused."""
    answers = []

    def rebinding(host: str, port: int) -> list[str]:
        answers.append(host)
        return ["93.184.216.34"] if len(answers) == 1 else ["127.0.0.1"]

    settings = FetchSettings(host_delay=0, respect_robots=False, retries=0)  # loopback NOT allowed
    port = newsroom.server_address[1]
    before = newsroom.state.requests
    with HttpFetcher(settings, resolver=rebinding) as f:
        res = f.fetch(f"http://rebind.example:{port}/daily-herald/rss.xml")
    assert len(answers) == 2, "the connection must resolve through the guard, not behind it"
    assert res.error_class == "blocked_address" and "127.0.0.1" in res.error
    assert newsroom.state.requests == before, "nothing may reach the loopback server"


def test_connections_use_the_vetted_address(newsroom, fast):
    """A name resolved by the guard's resolver is what the socket dials (here: the newsroom)."""
    port = newsroom.server_address[1]
    with HttpFetcher(replace(fast, respect_robots=False), resolver=lambda h, p: ["127.0.0.1"]) as f:
        res = f.fetch(f"http://news.example:{port}/daily-herald/rss.xml")
    assert res.ok and b"<rss" in res.body


def test_huge_body_is_cut_while_streaming(newsroom, fast):
    with HttpFetcher(fast) as f:
        res = f.fetch(newsroom.base_url + "/hostile/huge")
    assert res.error_class == "too_large" and res.body == b"" and res.raw_ref is None


@pytest.mark.parametrize("path", ["/hostile/gzip-bomb", "/hostile/br-bomb"])
def test_decompression_bomb_peak_memory_is_bounded(newsroom, fast, tmp_path, path):
    """200 MB of zeros in ~200 KB (gzip) or ~300 bytes (brotli): cut at the cap, memory stays small."""
    newsroom_lab.gzip_bomb(), newsroom_lab.brotli_bomb()  # built once, so the server's share is not measured
    settings = replace(fast, max_bytes=8 * 1024 * 1024)
    with HttpFetcher(settings, raw=RawStore(tmp_path)) as f:
        tracemalloc.start()
        try:
            res = f.fetch(newsroom.base_url + path)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert res.error_class == "too_large"
    assert peak < 3 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB while decoding a bomb"
    assert not list((tmp_path / ".tmp").iterdir()), "the aborted body leaves no temporary file"


def test_encoding_not_asked_for_is_refused(newsroom, fast):
    with HttpFetcher(fast) as f:
        res = f.fetch(newsroom.base_url + "/hostile/zstd")
    assert res.error_class == "unsupported_encoding" and "zstd" in res.error


def test_trickled_headers_hit_the_total_deadline(newsroom):
    settings = FetchSettings(allow_networks=("127.0.0.0/8",), host_delay=0, read_timeout=5, total_timeout=2, retries=0)
    started = time.monotonic()
    with HttpFetcher(settings) as f:
        res = f.fetch(newsroom.base_url + "/hostile/drip-headers")
    assert res.error_class == "timeout" and "total" in res.error
    assert time.monotonic() - started < 4


def test_trickled_body_hits_the_total_deadline(newsroom):
    settings = FetchSettings(allow_networks=("127.0.0.0/8",), host_delay=0, read_timeout=3, total_timeout=2, retries=0)
    with HttpFetcher(settings) as f:
        res = f.fetch(newsroom.base_url + "/hostile/drip")
    assert res.error_class == "timeout" and res.seconds < 4


def test_read_timeout_on_slow_page(newsroom, fast):
    settings = replace(fast, read_timeout=0.3, total_timeout=5, retries=0)
    with HttpFetcher(settings) as f:
        res = f.fetch(newsroom.base_url + next(a.path for a in load_articles() if a.kind == "slow"))
    assert res.error_class == "timeout"


def test_connection_refused_is_recorded(fast):
    with HttpFetcher(replace(fast, respect_robots=False)) as f:
        res = f.fetch("http://127.0.0.1:9/nothing-listens-here")
    assert res.error_class == "connection_error" and res.attempts == 1  # refused is not retried
    with HttpFetcher(fast) as f:  # with robots.txt first: the same class, explained
        res = f.fetch("http://127.0.0.1:9/nothing-listens-here")
    assert res.error_class == "connection_error" and "robots.txt unreachable" in res.error


def test_empty_200_is_an_error(newsroom, fast):
    with HttpFetcher(fast) as f:
        res = f.fetch(FetchRequest(newsroom.base_url + "/hostile/empty.xml", kind="feed"))
    assert res.status == 200 and res.error_class == "empty_body" and not res.ok


def test_retry_after_is_honoured_for_429_and_503(lab, fast):
    urls = [
        f"{lab.base_url}/flaky/a?fail=1&status=429&retry_after=1",
        f"{lab.base_url}/flaky/b?fail=1&status=503&retry_after=1",
    ]
    started = time.monotonic()
    with HttpFetcher(fast) as f:
        results = f.fetch_many([FetchRequest(u) for u in urls])
    assert [r.status for r in results] == [200, 200] and [r.attempts for r in results] == [2, 2]
    times = {}
    for rec in lab.state.log:
        times.setdefault(rec.path.split("?")[0], []).append(rec.at)
    for key in ("/flaky/a", "/flaky/b"):
        first, second = times[key]
        assert second - first >= 0.99, f"{key} retried after {second - first:.2f}s despite Retry-After: 1"
    assert time.monotonic() - started < 4


def test_retry_after_beyond_the_bound_is_not_waited_for(lab, fast):
    with HttpFetcher(replace(fast, max_retry_after=1)) as f:
        res = f.fetch(f"{lab.base_url}/flaky/c?fail=5&status=503&retry_after=3600")
    assert res.error_class == "http_503" and res.attempts == 1 and res.retry_after == 3600


def test_5xx_retried_with_backoff_then_given_up(lab, fast):
    with HttpFetcher(replace(fast, retries=2)) as f:
        res = f.fetch(f"{lab.base_url}/flaky/d?fail=9&status=502")
    assert res.error_class == "http_502" and res.attempts == 3


def test_bodies_stream_into_the_raw_store(newsroom, fast, tmp_path):
    store = RawStore(tmp_path)
    article = load_articles()[0]
    with HttpFetcher(fast, raw=store) as f:
        res = f.fetch(newsroom.base_url + article.path)
    assert res.ok and res.body == b"" and res.raw_ref and res.raw_ref in store
    assert res.read_body() == store.get(res.raw_ref) and b"<html" in res.read_body()
    assert res.nbytes == len(res.read_body())


def test_many_large_bodies_do_not_accumulate_in_memory(lab, fast, tmp_path):
    """The issue's 60 error pages of 9 MB peaked at 811 MB; streamed, they cost what one chunk costs."""
    urls = [f"{lab.base_url}/hostile/huge?{i}" for i in range(6)]  # 50 MB each, cut at the cap
    settings = replace(fast, max_bytes=4 * 1024 * 1024, concurrency=3)
    with HttpFetcher(settings, raw=RawStore(tmp_path)) as f:
        tracemalloc.start()
        try:
            results = f.fetch_many([FetchRequest(u) for u in urls])
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert len(results) == 6 and all(r.error_class == "too_large" for r in results)
    assert peak < 4 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB"


def test_fetch_many_keeps_order_and_isolates_failures(newsroom, fast):
    paths = ("/errors/404", "/daily-herald/rss.xml", "/hostile/redirect-loop", "/hostile/empty.xml")
    requests = [FetchRequest(newsroom.base_url + p) for p in paths]
    seen = []
    with HttpFetcher(fast) as f:
        results = f.fetch_many(requests, progress=seen.append)
    assert [r.url for r in results] == [r.url for r in requests]
    assert [r.error_class for r in results] == ["http_404", None, "too_many_redirects", "empty_body"]
    assert sorted(r.url for r in seen) == sorted(r.url for r in requests)


def test_request_headers_are_sent(lab, fast):
    with HttpFetcher(fast) as f:
        f.fetch(FetchRequest(lab.base_url + "/errors/404", headers={"If-None-Match": '"abc"'}))
    sent = [r.headers for r in lab.state.log if r.path == "/errors/404"]
    assert sent and sent[0]["If-None-Match"] == '"abc"'
    assert sent[0]["User-Agent"].startswith("newsflow/") and "+http" in sent[0]["User-Agent"]
    assert sent[0]["Accept-Encoding"] == "gzip, deflate, br"


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/x",
        "file:///etc/passwd",
        "http://10.0.0.1/",
        "http://[::1]/",
        "http://169.254.169.254/latest",
        "http://[::ffff:127.0.0.1]/",
        "http://0x7f000001/",
        "http://2130706433/",
    ],
)
def test_guard_refuses_non_public_targets(url):
    with pytest.raises((BlockedAddress, ResolveError)):
        AddressGuard().check(url)
