"""Per-hour counts on small in-memory tables."""

from __future__ import annotations

from newsflow.health import hourly_counts
from tests.health.builders import Hour, h, projected


def test_counts_come_from_the_stage_summary_rows():
    hour = Hour(h(1)).feed_ok("a", pages=3, page_errors=1).feed_failed("b", "http_500")
    hour.summary(
        fetch_feeds={"feeds": 2, "url_duplicates": 4, "already_seen": 6},
        dedup={"url_duplicates": 1, "content_duplicates": 2, "originals": 5},
        validate={"valid": 5, "quarantined": 1},
        publish={"articles": 5, "quarantined": 1, "facts": 40},
    )
    runs, _ = projected([hour])
    result = hourly_counts(runs, end=h(2), hours=3)
    assert [c.hour for c in result] == [h(2), h(1), h(0)]  # newest first
    missing, counts, before = result
    assert not missing.published and not before.published and missing.articles == 0
    assert counts.published
    assert (counts.articles, counts.duplicates, counts.already_seen, counts.quarantined, counts.facts) == (
        5,
        7,
        6,
        1,
        40,
    )
    assert counts.errors == 2 and counts.error_classes == {"http_404": 1, "http_500": 1}
    assert counts.feeds == 2 and counts.feeds_failed == 1
    assert counts.seconds == 4.0


def test_an_hour_with_every_feed_dead_shows_it():
    hour = Hour(h(0)).feed_failed("a").feed_failed("b").summary(publish={"articles": 0, "facts": 0, "quarantined": 0})
    runs, _ = projected([hour])
    (counts,) = hourly_counts(runs, end=h(0), hours=1)
    assert counts.published and counts.articles == 0
    assert counts.feeds == 2 and counts.feeds_failed == 2 and counts.errors == 2
