"""The stale-feed check on small in-memory tables."""

from __future__ import annotations

from newsflow.health import stale_feeds
from tests.health.builders import Feed, Hour, h, projected


def _hours(n: int, new_items: dict[str, list[int]], failing: frozenset[tuple[str, int]] = frozenset()):
    hours = []
    for i in range(n):
        hour = Hour(h(i))
        for feed, series in new_items.items():
            if (feed, i) in failing:
                hour.feed_failed(feed)
            else:
                hour.feed_ok(feed, pages=series[i])
        hours.append(hour)
    return projected(hours)


def test_no_new_items_for_n_hours_is_stale_and_one_item_is_not():
    runs, fetches = _hours(10, {"quiet": [3, 1, 0, 0, 0, 0, 0, 0, 0, 0], "busy": [0, 0, 0, 0, 0, 0, 0, 0, 1, 0]})
    result = stale_feeds(runs, fetches, [Feed("quiet"), Feed("busy")], as_of=h(9))
    assert [s.name for s in result] == ["quiet"]
    (quiet,) = result
    assert quiet.stale_after_hours == 6
    assert quiet.last_new_items == h(1) and quiet.hours_without_new_items == 8
    assert quiet.attempted_hours == 6 and quiet.failed_hours == 0 and not quiet.failing
    assert "quiet" in quiet.message() and "6 h" in quiet.message()


def test_threshold_is_per_feed():
    runs, fetches = _hours(10, {"a": [1, 1, 1, 1, 1, 0, 0, 0, 0, 0], "b": [1, 1, 1, 1, 1, 0, 0, 0, 0, 0]})
    feeds = [Feed("a", stale_after_hours=4), Feed("b", stale_after_hours=8)]
    assert [s.name for s in stale_feeds(runs, fetches, feeds, as_of=h(9))] == ["a"]
    assert [s.name for s in stale_feeds(runs, fetches, feeds, as_of=h(9), default_stale_after_hours=2)] == ["a"]


def test_a_failing_feed_is_stale_too_and_says_so():
    failing = frozenset(("dead", i) for i in range(2, 10))
    runs, fetches = _hours(10, {"dead": [2] * 10}, failing)
    (dead,) = stale_feeds(runs, fetches, [Feed("dead")], as_of=h(9))
    assert dead.failing and dead.failed_hours == 6
    assert "failed in 6 of 6 hours" in dead.message()


def test_a_feed_added_recently_is_not_stale_yet():
    hours = [Hour(h(i)).feed_ok("old", pages=1) for i in range(10)]
    for hour in hours[7:]:
        hour.feed_ok("new", pages=0)
    runs, fetches = projected(hours)
    assert stale_feeds(runs, fetches, [Feed("old"), Feed("new")], as_of=h(9)) == []


def test_no_published_hour_in_the_window_gives_no_verdict_and_disabled_feeds_are_skipped():
    runs, fetches = _hours(3, {"a": [0, 0, 0]})
    assert stale_feeds(runs, fetches, [Feed("a", stale_after_hours=2)], as_of=h(20)) == []
    assert stale_feeds(runs, fetches, [Feed("a", stale_after_hours=2, enabled=False)], as_of=h(2)) == []
    (verdict,) = stale_feeds(runs, fetches, [Feed("a", stale_after_hours=2)], as_of=h(2))
    assert verdict.last_new_items is None and verdict.hours_without_new_items is None


def test_verdict_depends_on_the_hour_not_the_clock():
    runs, fetches = _hours(10, {"a": [1, 0, 0, 0, 0, 0, 0, 0, 0, 0]})
    assert stale_feeds(runs, fetches, [Feed("a")], as_of=h(5)) == []  # hours 0..5 include the item
    assert [s.name for s in stale_feeds(runs, fetches, [Feed("a")], as_of=h(6))] == ["a"]
