"""Politeness on real loopback HTTP: robots.txt, Crawl-delay, per-host pacing that never stalls other hosts."""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from dataclasses import replace

import pytest

from newsflow.fetch import FetchRequest, HttpFetcher
from newsflow.fetch.robots import RobotsCache, origin_of, product_token
from newsflow.fetch.scheduler import HostScheduler
from newsflow.newsroom.lab import start_hosts, stop_hosts
from tests.conftest import HOUR

ROBOTS = """
User-agent: *
Disallow: /

User-agent: newsflow
Disallow: /errors/
Allow: /errors/404$
Disallow: /*.rdf$
Crawl-delay: 0.4
"""


def _arrivals(server, prefix: str = "/") -> list[float]:
    return [r.at for r in server.state.log if r.path.startswith(prefix) and r.path != "/robots.txt"]


def test_robots_disallow_and_crawl_delay(lab, fast, tmp_path):
    lab.state.robots = ROBOTS
    base = lab.base_url
    requests = [
        FetchRequest(base + "/errors/500"),  # disallowed for newsflow
        FetchRequest(base + "/errors/404"),  # allowed: the longer Allow wins
        FetchRequest(base + "/daily-herald/index.rdf", kind="feed"),  # disallowed by wildcard, feeds too
        FetchRequest(base + "/daily-herald/rss.xml", kind="feed"),  # allowed: our group, not '*'
        FetchRequest(base + "/metro-wire/atom.xml", kind="feed"),
    ]
    cache = RobotsCache(tmp_path / "fetch.sqlite")
    with HttpFetcher(fast, robots=cache) as f:
        results = f.fetch_many(requests)
        robots_fetches = f.take_robots_fetches()
    assert [r.error_class for r in results] == ["robots_disallowed", "http_404", "robots_disallowed", None, None]
    assert "disallows" in results[0].error
    served = [r.path for r in lab.state.log]
    assert "/errors/500" not in served and "/daily-herald/index.rdf" not in served
    assert served.count("/robots.txt") == 1 and [r.kind for r in robots_fetches] == ["robots"]
    starts = _arrivals(lab)
    assert len(starts) == 3
    gaps = [b - a for a, b in zip(starts, starts[1:], strict=False)]
    assert min(gaps) >= 0.4 - 0.01, f"Crawl-delay 0.4 not honoured: gaps {gaps}"

    # The cache outlives the fetcher: a new one (a later hour) does not ask for robots.txt again.
    with HttpFetcher(fast, robots=RobotsCache(tmp_path / "fetch.sqlite")) as f:
        again = f.fetch_many([FetchRequest(base + "/errors/500")])
    assert again[0].error_class == "robots_disallowed"
    assert [r.path for r in lab.state.log].count("/robots.txt") == 1


def test_crawl_delay_is_capped(lab, fast):
    lab.state.robots = "User-agent: *\nCrawl-delay: 3600\n"
    with HttpFetcher(replace(fast, max_crawl_delay=0.3)) as f:
        started = time.monotonic()
        results = f.fetch_many([FetchRequest(f"{lab.base_url}/errors/404?{i}") for i in range(3)])
    assert all(r.status == 404 for r in results)
    assert time.monotonic() - started < 2.5


def test_unreachable_robots_means_disallow(lab, fast):
    lab.state.robots, lab.state.robots_status = "oops", 503
    with HttpFetcher(fast) as f:
        res = f.fetch(FetchRequest(lab.base_url + "/daily-herald/rss.xml", kind="feed"))
    assert res.error_class == "robots_disallowed" and "unreachable" in res.error
    assert "/daily-herald/rss.xml" not in [r.path for r in lab.state.log]


def test_missing_robots_allows_everything(lab, fast):
    with HttpFetcher(fast) as f:
        res = f.fetch(lab.base_url + "/daily-herald/rss.xml")
        robots = f.take_robots_fetches()
    assert res.ok and robots[0].status == 404


def test_per_host_pacing_while_other_hosts_proceed():
    """One busy host (8 requests) and two light ones, 2 workers, 0.5 s per host, ~100 ms latency.

    Requests to one host never start closer than the delay, and the light hosts are done long
    before the busy one: no worker sits waiting on the busy host while their work waits.
    """
    servers = start_hosts(3, clock=HOUR, latency_ms=100, latency_jitter_ms=20)
    try:
        busy, light1, light2 = servers
        settings = replace(_settings(), host_delay=0.5, concurrency=2, per_host_concurrency=1, respect_robots=False)
        requests = [FetchRequest(f"{busy.base_url}/errors/404?b{i}") for i in range(8)]
        requests += [FetchRequest(f"{s.base_url}/errors/404?l{i}") for s in (light1, light2) for i in range(3)]
        started = time.monotonic()
        with HttpFetcher(settings) as f:
            results = f.fetch_many(requests)
        assert [r.status for r in results] == [404] * len(requests)
        for server in servers:
            starts = _arrivals(server, "/errors/")
            assert starts
            gaps = [b - a for a, b in zip(starts, starts[1:], strict=False)]
            assert min(gaps) >= 0.5 - 0.01, f"{server.base_url}: requests {gaps} apart, delay is 0.5 s"
        light_done = max(max(_arrivals(s, "/errors/")) for s in (light1, light2)) - started
        busy_done = max(_arrivals(busy, "/errors/")) - started
        assert light_done < 1.6, f"light hosts waited behind the busy one ({light_done:.2f}s)"
        assert busy_done >= 7 * 0.5 - 0.05
    finally:
        stop_hosts(servers)


def _settings():
    from newsflow.fetch import FetchSettings

    return FetchSettings(allow_networks=("127.0.0.0/8",), retries=0)


def test_scheduler_interleaves_hosts_and_paces_each():
    sched: HostScheduler[str] = HostScheduler(per_host=1, default_delay=0.2)
    for i in range(3):
        sched.add("a", f"a{i}")
    sched.add("b", "b0")
    order, starts = [], defaultdict(list)
    while (taken := sched.take()) is not None:
        host, job = taken
        order.append(job)
        starts[host].append(time.monotonic())
        sched.done(host)
    assert order[:2] == ["a0", "b0"]  # b does not wait behind a's queue
    gaps = [y - x for x, y in zip(starts["a"], starts["a"][1:], strict=False)]
    assert len(gaps) == 2 and min(gaps) >= 0.19


def test_scheduler_per_host_concurrency_and_retry_delay():
    sched: HostScheduler[str] = HostScheduler(per_host=2, default_delay=0.0)
    for job in ("x", "y", "z"):
        sched.add("h", job)
    first, second = sched.take(), sched.take()
    assert {first[1], second[1]} == {"x", "y"}
    got: list = []
    t = threading.Thread(target=lambda: got.append(sched.take()))
    t.start()
    t.join(0.2)
    assert t.is_alive() and not got, "a third request to a host limited to two must wait"
    sched.done("h")
    t.join(2)
    assert got and got[0][1] == "z"
    sched.done("h")
    sched.add("h", "retry", not_before=time.monotonic() + 0.3)
    sched.done("h")  # z done
    started = time.monotonic()
    assert sched.take()[1] == "retry" and time.monotonic() - started >= 0.29
    sched.done("h")
    assert sched.take() is None


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("http://Example.com/a", "http://example.com"),
        ("https://example.com:443/a", "https://example.com"),
        ("http://example.com:8080/a?b", "http://example.com:8080"),
        ("http://[::1]:81/", "http://[::1]:81"),
    ],
)
def test_robots_origin(url, origin):
    assert origin_of(url) == origin


def test_product_token_is_what_groups_match():
    assert product_token("newsflow/0.1 (+https://x.example; news ingestion bot)") == "newsflow"


def test_a_dead_host_is_closed_for_the_cycle(fast):
    dead = [FetchRequest(f"http://127.0.0.1:9/story/{i}") for i in range(8)]
    with HttpFetcher(replace(fast, respect_robots=False, host_failures_before_skip=3, concurrency=1)) as f:
        results = f.fetch_many(dead)
    classes = [r.error_class for r in results]
    assert classes[:3] == ["connection_error"] * 3 and set(classes[3:]) == {"host_unavailable"}
    assert all(r.attempts == 0 for r in results[3:])
    with HttpFetcher(fast) as f:  # with robots.txt: one failed robots.txt answers for the whole host
        results = f.fetch_many(dead)
        robots = f.take_robots_fetches()
    assert len(robots) == 1 and {r.error_class for r in results} == {"connection_error"}


def test_a_host_we_refuse_is_asked_for_robots_txt_once(fast):
    """Blocked addresses never get a robots.txt cached; the run still tries it only once."""
    with HttpFetcher(replace(fast, allow_networks=())) as f:
        results = f.fetch_many([FetchRequest(f"http://127.0.0.1:9/{i}") for i in range(5)])
        robots = f.take_robots_fetches()
    assert len(robots) == 1 and {r.error_class for r in results} == {"blocked_address"}
