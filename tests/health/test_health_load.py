"""Reading published partitions for health: only marked hours, only needed columns, cached until rerun."""

from __future__ import annotations

from datetime import UTC, datetime

import pyarrow.parquet as pq

from newsflow import storage
from newsflow.health import build_report, check_stale, load_history, published_hours
from newsflow.health.load import COLUMNS, _PartitionCache
from newsflow.publish import commit_hour
from tests.health.builders import Feed, Hour, h


def _publish(root, hour: Hour) -> None:
    commit_hour(root, hour.hour, hour.tables(), hour.run_id)


def test_only_marked_partitions_inside_the_window_are_read(tmp_path):
    for i in range(5):
        _publish(tmp_path, Hour(h(i)).feed_ok("a", pages=i))
    (storage.partition_dir(tmp_path, "runs", h(2)) / storage.SUCCESS_FILE).unlink()  # being replaced
    (tmp_path / "runs" / "dt=2026-11-25" / "hour=xx").mkdir()  # a stray directory
    assert published_hours(tmp_path, "runs") == [h(0), h(1), h(3), h(4)]
    history = load_history(tmp_path, h(1), h(3), cache=None)
    assert history.hours == (h(1), h(3))
    assert history.runs.column_names == [*COLUMNS["runs"], "hour"]
    assert history.fetches.column_names == [*COLUMNS["fetches"], "hour"]
    assert sorted(set(history.fetches["hour"].to_pylist())) == [h(1), h(3)]
    assert history.problems == ()


def test_cache_serves_unchanged_hours_and_a_rerun_is_read_again(tmp_path):
    _publish(tmp_path, Hour(h(0)).feed_ok("a", pages=1))
    cache = _PartitionCache()
    first = load_history(tmp_path, h(0), h(0), cache=cache)
    assert first.fetches.num_rows == 2 and (cache.hits, cache.misses) == (0, 2)
    again = load_history(tmp_path, h(0), h(0), cache=cache)
    assert again.fetches.equals(first.fetches) and (cache.hits, cache.misses) == (2, 2)
    _publish(tmp_path, Hour(h(0)).feed_ok("a", pages=4))  # the hour is rerun
    assert load_history(tmp_path, h(0), h(0), cache=cache).fetches.num_rows == 5
    assert cache.misses == 4


def test_an_unreadable_partition_is_named_not_raised(tmp_path):
    _publish(tmp_path, Hour(h(0)).feed_ok("a", pages=1))
    _publish(tmp_path, Hour(h(1)).feed_ok("a", pages=1))
    (storage.partition_dir(tmp_path, "runs", h(0)) / storage.PART_FILE).write_bytes(b"PAR1 truncated")
    history = load_history(tmp_path, h(0), h(1), cache=None)
    assert history.hours == (h(1),)
    assert len(history.problems) == 1 and "runs 2026-11-25T00" in history.problems[0]


def test_build_report_over_published_data(tmp_path):
    for i in range(8):
        hour = Hour(h(i)).feed_ok("alive", pages=2)
        if i < 3:
            hour.feed_ok("<script>alert(1)</script>", pages=1)
        else:
            hour.feed_failed("<script>alert(1)</script>", "http_500", "Internal <b>Server</b> Error")
        hour.summary(publish={"articles": 2, "facts": 9, "quarantined": 0})
        _publish(tmp_path, hour)
    feeds = [Feed("alive"), Feed("<script>alert(1)</script>")]
    report = build_report(tmp_path, feeds, now=h(7).replace(minute=30), hours=6, lookback_hours=24)
    assert report.end == h(7) and report.published_hours == 8
    names = [f.name for f in report.feeds]
    assert names == ["<script>alert(1)</script>", "alive"]
    bad = report.feeds[0]
    assert bad.status == "failing" and bad.consecutive_failing_hours == 5 and bad.last_success == h(2)
    assert len(report.per_hour) == 6 and report.per_hour[0].articles == 2 and report.per_hour[0].feeds_failed == 1
    assert report.to_dict()["feeds"][0]["last_error"]["error_class"] == "http_500"
    # the check the DAG calls, over the same files: the dead feed has had no new items for 5 h
    assert check_stale(tmp_path, feeds, as_of=h(7)) == []
    (stale,) = check_stale(tmp_path, [Feed("<script>alert(1)</script>", stale_after_hours=4)], as_of=h(7))
    assert stale.failing and stale.last_new_items == h(2)


def test_window_follows_data_that_runs_ahead_of_the_clock(tmp_path):
    _publish(tmp_path, Hour(h(30)).feed_ok("a", pages=1))
    report = build_report(tmp_path, [Feed("a")], now=datetime(2026, 11, 25, 3, 10, tzinfo=UTC), hours=3)
    assert report.end == h(30) and report.feeds[0].items[-1] == 1


def test_projection_reads_fewer_bytes_than_the_file(tmp_path):
    _publish(tmp_path, Hour(h(0)).feed_ok("a", pages=50))
    meta = pq.ParquetFile(storage.partition_dir(tmp_path, "fetches", h(0)) / storage.PART_FILE).metadata
    names = [meta.schema.column(i).name for i in range(meta.num_columns)]
    assert set(COLUMNS["fetches"]) < set(names)  # url, etag, raw_ref, ... are never read
