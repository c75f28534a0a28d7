"""Fetch state across hours, on the real newsroom: conditional GET, backoff, permanent errors, redirects,
reruns and rebuilding from the ``fetches`` rows."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from newsflow.fetch import HttpFetcher
from newsflow.fetch.planning import (
    PageLink,
    backoff_hours,
    feed_outcome,
    hour_index,
    poll_interval_hours,
    publish_rate,
)
from newsflow.fetch.state import FetchState, row_hour
from newsflow.newsroom.content import load_articles
from newsflow.sources.registry import FeedSpec
from tests.conftest import HOUR
from tests.fetch.flows import run_hour


def _requests(server, path: str) -> int:
    return sum(1 for r in server.state.log if r.path == path)


def test_304_on_the_second_hour(lab, fast, tmp_path):
    path = "/gen/busy.xml?items=12&every=10"  # 144 items a day: due every hour
    feeds = [FeedSpec("busy", lab.base_url + path, "lab")]
    with FetchState(tmp_path / "fetch.sqlite", fast) as state, HttpFetcher(fast) as fetcher:
        _, _, first, _ = run_hour(state, fetcher, HOUR, fast, feeds)
        assert first[0].status == 200 and first[0].etag
        plans, _, second, rows = run_hour(state, fetcher, HOUR + timedelta(hours=1), fast, feeds)
    assert plans[0].due and plans[0].request.headers["If-None-Match"] == first[0].etag
    assert second[0].status == 304 and second[0].not_modified and second[0].nbytes == 0
    assert second[0].wire_bytes < first[0].wire_bytes / 10
    assert rows[0]["status"] == 304 and rows[0]["raw_ref"] is None


def test_backoff_after_failures_and_recovery_after_success(lab, fast, tmp_path):
    settings = replace(fast, retries=0, flag_after_hours=3)
    feeds = [FeedSpec("flaky", lab.base_url + "/switch/k.xml", "lab")]
    path = "/switch/k.xml"
    fetched_at, plans_by_hour = [], {}
    with FetchState(tmp_path / "fetch.sqlite", settings) as state, HttpFetcher(settings) as fetcher:
        for offset in range(9):
            hour = HOUR + timedelta(hours=offset)
            before = _requests(lab, path)
            plans, _, _, _ = run_hour(state, fetcher, hour, settings, feeds)
            plans_by_hour[offset] = plans[0]
            if _requests(lab, path) > before:
                fetched_at.append(offset)
        last = HOUR + timedelta(hours=fetched_at[-1])
        failing = state.states([feeds[0].url], before=HOUR + timedelta(hours=9))[feeds[0].url]
        outcome = feed_outcome(failing, last, settings)
        # Attempts 1, 2, then 4 or 5 hours apart (exponential, jitter under 25 %); no request in between.
        assert fetched_at[:3] == [0, 1, 3] and fetched_at[3] in (7, 8) and len(fetched_at) == 4, fetched_at
        assert plans_by_hour[2].reason == "backoff" and not plans_by_hour[2].due
        assert failing.consecutive_failures == 4 and failing.last_error_class == "http_500"
        assert outcome.flagged and outcome.failing_hours == fetched_at[3] + 1

        lab.state.switches["k"] = True  # the publisher recovers
        due_hour = failing.next_due
        recovered_at = HOUR + timedelta(hours=due_hour - hour_index(HOUR))
        plans, _, results, _ = run_hour(state, fetcher, recovered_at, settings, feeds)
        assert plans[0].due and results[0].ok
        healthy = state.states([feeds[0].url], before=recovered_at + timedelta(hours=1))[feeds[0].url]
    assert healthy.consecutive_failures == 0 and healthy.failing_since is None and healthy.last_error_class is None
    assert not feed_outcome(healthy, recovered_at, settings).flagged
    assert healthy.next_due is not None and healthy.next_due > hour_index(recovered_at)


def test_a_permanent_404_is_not_fetched_again(lab, fast, tmp_path):
    url = lab.base_url + "/no/such/story"
    with FetchState(tmp_path / "fetch.sqlite", fast) as state, HttpFetcher(fast) as fetcher:
        _, _, first, _ = run_hour(state, fetcher, HOUR, fast, links=[PageLink(url, "fp1")])
        assert first[0].error_class == "http_404"
        _, decisions, results, _ = run_hour(
            state, fetcher, HOUR + timedelta(hours=1), fast, links=[PageLink(url, "fp1")]
        )
        assert decisions[0].reason == "permanent_error" and not decisions[0].fetch and results == []
        assert _requests(lab, "/no/such/story") == 1
        # The feed entry changed (new title, new date): worth one more try.
        _, decisions, results, _ = run_hour(
            state, fetcher, HOUR + timedelta(hours=2), fast, links=[PageLink(url, "fp2")]
        )
    assert decisions[0].reason == "entry_changed" and decisions[0].fetch and results[0].status == 404
    assert _requests(lab, "/no/such/story") == 2


def test_a_redirecting_link_is_fetched_once_across_hours(lab, fast, tmp_path):
    article = load_articles()[0]
    moved, target = lab.base_url + "/moved" + article.path, lab.base_url + article.path
    with FetchState(tmp_path / "fetch.sqlite", fast) as state, HttpFetcher(fast) as fetcher:
        _, _, results, _ = run_hour(state, fetcher, HOUR, fast, links=[PageLink(moved)])
        assert results[0].ok and results[0].final_url == target
        later = [PageLink(moved), PageLink(target)]  # the feed keeps the old link; another lists the target
        for offset in (1, 2):
            _, decisions, results, _ = run_hour(state, fetcher, HOUR + timedelta(hours=offset), fast, links=later)
            assert results == [] and [d.reason for d in decisions] == ["already_fetched", "already_fetched"]
            assert {d.known_as for d in decisions} == {target}
    assert _requests(lab, "/moved" + article.path) == 1 and _requests(lab, article.path) == 1


def test_a_rerun_replaces_the_hours_contribution(lab, fast, tmp_path):
    feeds = [FeedSpec("busy", lab.base_url + "/gen/busy.xml?items=12&every=10", "lab")]
    next_hour = HOUR + timedelta(hours=1)
    with FetchState(tmp_path / "fetch.sqlite", fast) as state, HttpFetcher(fast) as fetcher:
        run_hour(state, fetcher, HOUR, fast, feeds)
        once = state.states(before=next_hour)
        plans_first, _, _, _ = run_hour(state, fetcher, next_hour, fast, feeds)
        # Rerun the first hour: it plans exactly as before (nothing earlier changed) and replaces its version.
        plans_rerun, _, _, _ = run_hour(state, fetcher, HOUR, fast, feeds)
        twice = state.states(before=next_hour)
        versions = state.db.execute("SELECT COUNT(*) FROM url_state WHERE hour = ?", (hour_index(HOUR),)).fetchone()[0]
    assert plans_rerun[0].reason == "new" and versions == 1
    assert {u: replace(s, raw_ref=None) for u, s in once.items()} == {
        u: replace(s, raw_ref=None) for u, s in twice.items()
    }
    assert plans_first[0].request.headers  # hour 2 planned from hour 1's validators


def test_state_is_rebuilt_from_fetches_rows(lab, fast, tmp_path):
    settings = replace(fast, retries=0)
    feeds = [
        FeedSpec("busy", lab.base_url + "/gen/busy.xml?items=12&every=10", "lab"),
        FeedSpec("down", lab.base_url + "/switch/off.xml", "lab"),
    ]
    article = load_articles()[1]
    all_rows = []
    with FetchState(tmp_path / "a.sqlite", settings) as state, HttpFetcher(settings) as fetcher:
        for offset in range(3):
            hour = HOUR + timedelta(hours=offset)
            links = [PageLink(lab.base_url + "/moved" + article.path), PageLink(lab.base_url + "/gone/x", "e")]
            all_rows += run_hour(state, fetcher, hour, settings, feeds, links)[3]
        end = HOUR + timedelta(hours=3)
        original = state.states(before=end)
        original_aliases = state.aliases([lab.base_url + article.path], before=end)
    assert len(original) == 4 and all_rows
    with FetchState(tmp_path / "b.sqlite", settings) as rebuilt:
        assert rebuilt.rebuild_from_fetches(all_rows) == len({row_hour(r) for r in all_rows}) >= 2
        assert rebuilt.states(before=end) == original
        assert rebuilt.aliases([lab.base_url + article.path], before=end) == original_aliases


def test_row_hour_reads_hive_partitions_and_logical_hour():
    assert row_hour({"dt": "2026-11-25", "hour": 10}) == HOUR
    assert row_hour({"logical_hour": "2026-11-25T10:00:00+00:00"}) == HOUR
    assert row_hour({"fetched_at": HOUR + timedelta(minutes=59)}) == HOUR
    with pytest.raises(ValueError):
        row_hour({"url": "x"})


def test_backoff_jitter_is_deterministic_and_bounded(fast):
    h = hour_index(HOUR)
    for failures, base in [(1, 1), (2, 2), (3, 4), (4, 8), (5, 16)]:
        values = {backoff_hours(failures, f"https://e{i}.example/feed", h, fast) for i in range(50)}
        assert min(values) >= base and max(values) <= round(base * 1.25)
        assert backoff_hours(failures, "https://a.example/", h, fast) == backoff_hours(
            failures, "https://a.example/", h, fast
        )
    assert backoff_hours(30, "https://a.example/", h, fast) == fast.max_backoff_hours
    assert len({backoff_hours(5, f"https://e{i}.example/", h, fast) for i in range(50)}) > 1  # spread


def test_poll_interval_adapts_to_publishing_rate(fast):
    assert poll_interval_hours(144, 0, fast) == 1
    assert poll_interval_hours(2, 0, fast) == 6
    assert poll_interval_hours(0.1, 0, fast) == fast.max_poll_hours
    assert poll_interval_hours(None, 0, fast) == fast.min_poll_hours
    assert poll_interval_hours(144, 2, fast) == 3  # 1 h stretched by 1.5² while nothing changes
    assert poll_interval_hours(2, 1, fast) == 9
    assert poll_interval_hours(144, 50, fast) == fast.max_poll_hours


def test_publish_rate_from_entry_dates():
    dates = [HOUR - timedelta(hours=2 * i) for i in range(13)]  # one every 2 hours
    assert publish_rate(dates) == pytest.approx(12.0)
    assert publish_rate([HOUR, None]) is None
    assert publish_rate([HOUR, HOUR]) == pytest.approx(24.0)  # same timestamp: span floored at an hour


def test_compact_keeps_the_newest_version_before_the_cut(tmp_path, fast):
    url = "https://a.example/rss"
    with FetchState(tmp_path / "fetch.sqlite", fast) as state:
        for offset in range(5):
            state.record_hour(HOUR + timedelta(hours=offset), [{"url": url, "kind": "feed", "status": 200}])
        before = state.states(before=HOUR + timedelta(hours=10))
        removed = state.compact(keep_after=HOUR + timedelta(hours=3))
        hours = [h for (h,) in state.db.execute("SELECT hour FROM url_state ORDER BY hour")]
        assert removed == 2 and hours == [hour_index(HOUR) + 2, hour_index(HOUR) + 3, hour_index(HOUR) + 4]
        assert state.states(before=HOUR + timedelta(hours=10)) == before
        state.forget_hour(HOUR + timedelta(hours=4))
        assert state.states(before=HOUR + timedelta(hours=10))[url].hour == hour_index(HOUR) + 3
