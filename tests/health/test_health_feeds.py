"""Per-feed health on small in-memory tables."""

from __future__ import annotations

from datetime import timedelta

import pytest

from newsflow.health import feed_health
from newsflow.health.feeds import feed_hours, stale_after
from tests.health.builders import Feed, Hour, h, projected


def _by_name(result):
    assert result, "feed_health returned nothing"
    return {f.name: f for f in result}


def test_new_items_prefer_the_recorded_count_else_pages_fetched():
    runs, fetches = projected([Hour(h(0)).feed_ok("a", pages=3).feed_ok("b", pages=3, new=7).feed_failed("c")])
    per_feed = feed_hours(runs, fetches)
    assert per_feed["a"][h(0)].ok and per_feed["a"][h(0)].new_items == 3
    assert per_feed["b"][h(0)].new_items == 7  # the run's own "new" count wins
    assert not per_feed["c"][h(0)].ok and per_feed["c"][h(0)].new_items == 0
    assert per_feed["c"][h(0)].error_class == "connect_error"


def test_an_item_error_in_a_fetched_feed_does_not_fail_its_hour():
    hour = Hour(h(0)).feed_ok("a", pages=1)
    hour._run("fetch_feeds", feed="a", url="javascript:x", error_class="invalid_link", error="not an http(s) URL")
    runs, fetches = projected([hour])
    health = _by_name(feed_health(runs, fetches, [Feed("a")], end=h(0), hours=1))["a"]
    assert health.status == "ok" and health.failed_hours == 0
    assert health.last_error is not None and health.last_error.error_class == "invalid_link"


def test_failing_feed_streak_last_error_rate_and_last_success():
    hours = [Hour(h(i)).feed_ok("good", pages=2) for i in range(6)]
    for i, hour in enumerate(hours):
        if i < 2:
            hour.feed_ok("dead", pages=1)
        else:
            hour.feed_failed("dead", "http_503", f"Service Unavailable #{i}")
    runs, fetches = projected(hours)
    result = feed_health(runs, fetches, [Feed("good"), Feed("dead")], end=h(5), hours=6)
    assert [f.name for f in result] == ["dead", "good"]  # failing first
    dead = result[0]
    assert dead.status == "failing"
    assert dead.consecutive_failing_hours == 4
    assert dead.attempted_hours == 6 and dead.failed_hours == 4 and dead.error_rate == pytest.approx(4 / 6, abs=1e-4)
    assert dead.last_success == h(1)
    assert dead.last_success_at is not None and dead.last_success_at > h(1)
    assert dead.last_error is not None
    assert (dead.last_error.error_class, dead.last_error.message, dead.last_error.hour) == (
        "http_503",
        "Service Unavailable #5",
        h(5),
    )
    assert dead.items == (1, 1, 0, 0, 0, 0)
    assert dead.hour_ok == (True, True, False, False, False, False)
    good = result[1]
    assert good.status == "ok" and good.error_rate == 0 and good.items_total == 12


def test_latency_quantiles_and_page_error_rate_cover_only_the_window():
    hours = [Hour(h(i)).feed_ok("a", pages=4, page_errors=1 if i == 9 else 0, seconds=float(i)) for i in range(10)]
    runs, fetches = projected(hours)
    a = _by_name(feed_health(runs, fetches, [Feed("a")], end=h(9), hours=5))["a"]
    # window = hours 5..9: feed fetch seconds 5, 6, 7, 8, 9
    assert a.latency_p50 == pytest.approx(7.0)
    assert a.latency_p95 == pytest.approx(8.8)
    assert a.page_fetches == 20 and a.page_errors == 1 and a.page_error_rate == pytest.approx(0.05)
    assert a.status == "ok"  # one 404 in twenty pages is not degradation


def test_sparkline_has_gaps_for_hours_without_a_run_and_window_is_ascending():
    runs, fetches = projected([Hour(h(0)).feed_ok("a", pages=2), Hour(h(3)).feed_ok("a", pages=5)])
    a = _by_name(feed_health(runs, fetches, [Feed("a")], end=h(3), hours=4))["a"]
    assert a.window == (h(0), h(1), h(2), h(3))
    assert a.items == (2, None, None, 5)
    assert a.hour_ok == (True, None, None, True)


def test_every_feed_is_listed_configured_or_only_in_the_data():
    runs, fetches = projected([Hour(h(0)).feed_ok("old-name", pages=1).feed_ok("a", pages=1)])
    feeds = [Feed("a"), Feed("never-fetched"), Feed("paused", enabled=False)]
    result = _by_name(feed_health(runs, fetches, feeds, end=h(0), hours=3))
    assert set(result) == {"a", "never-fetched", "paused", "old-name"}
    assert result["never-fetched"].status == "no_data" and result["never-fetched"].last_success is None
    assert result["paused"].status == "disabled" and result["paused"].next_poll is None
    assert not result["old-name"].configured and result["old-name"].notes
    assert result["a"].next_poll == h(1)  # no scheduler state: the next full hour


def test_next_poll_from_the_scheduler_wins():
    runs, fetches = projected([Hour(h(0)).feed_ok("a", pages=1)])
    when = h(0) + timedelta(minutes=90)
    a = _by_name(feed_health(runs, fetches, [Feed("a")], end=h(0), hours=1, next_poll=when))["a"]
    assert a.next_poll == when


def test_degraded_when_some_hours_failed_but_the_latest_succeeded():
    runs, fetches = projected([Hour(h(0)).feed_failed("a"), Hour(h(1)).feed_ok("a", pages=1)])
    a = _by_name(feed_health(runs, fetches, [Feed("a")], end=h(1), hours=2))["a"]
    assert a.status == "degraded" and a.consecutive_failing_hours == 0


def test_malformed_counts_cell_is_ignored_not_raised():
    hour = Hour(h(0))
    hour._run("fetch_feeds", feed="a", url="http://x/a", counts="{not json", seconds=0.1)
    hour.fetches.append(hour._fetch("a", "page", 200, 0.1))
    runs, fetches = projected([hour])
    a = _by_name(feed_health(runs, fetches, [Feed("a")], end=h(0), hours=1))["a"]
    assert a.items == (1,)


def test_stale_after_reads_the_feed_setting_with_a_floor_of_one():
    assert stale_after(Feed("a")) == 6
    assert stale_after(Feed("a", stale_after_hours=12)) == 12
    assert stale_after(Feed("a", stale_after_hours=0)) == 1
    assert stale_after(Feed("a"), default=3) == 3


def test_to_dict_is_json_ready():
    import json

    runs, fetches = projected([Hour(h(0)).feed_failed("a", error="<b>boom</b>")])
    a = feed_health(runs, fetches, [Feed("a")], end=h(0), hours=1)[0]
    doc = json.loads(json.dumps(a.to_dict()))
    assert doc["last_error"]["message"] == "<b>boom</b>" and doc["window"] == [h(0).isoformat()]
