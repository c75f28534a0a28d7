"""Reruns that cannot forget, backfills that do not double, one run of an hour at a time, and what
an analyst's account can read."""

from __future__ import annotations

import os
import stat
import threading
import time
from datetime import timedelta

import pytest

from newsflow import state, storage
from newsflow.cli import main
from newsflow.config import Settings
from newsflow.context import RunContext
from newsflow.cycle import run_cycle
from newsflow.errors import AllFeedsFailed
from newsflow.locks import HourBusy
from newsflow.report import summarize
from tests.conftest import HOUR
from tests.reliability.conftest import content_of, readme_query, run_in_child, write_feeds


def _ctx(data, feeds, hour=HOUR, **kwargs) -> RunContext:
    return RunContext.create(hour, Settings.from_env(data_root=data, feeds_file=feeds), lease_pid=os.getpid(), **kwargs)


def _site_ids(data, hour, site) -> set[str]:
    table = storage.read_partition(data, "articles", hour)
    assert table is not None
    return {a["article_id"] for a in table.to_pylist() if a["site"] == site}


def test_rerun_with_a_site_down_then_up_loses_no_article(quick_newsroom, tmp_path):
    base = quick_newsroom.base_url
    two_sites = ["/daily-herald/rss.xml", "/globe-post/feed.json"]
    full = write_feeds(tmp_path / "full.yaml", base, feeds=two_sites)
    degraded = write_feeds(tmp_path / "degraded.yaml", base, feeds=two_sites, down=["daily-herald"])
    data = tmp_path / "data"
    run_cycle(_ctx(data, full))
    everything = content_of(data)
    herald = _site_ids(data, HOUR, "daily-herald")
    assert len(herald) >= 10

    run_cycle(_ctx(data, degraded))  # the rerun replaces the hour, without the site that is down
    assert _site_ids(data, HOUR, "daily-herald") == set()
    run_cycle(_ctx(data, full))  # the site is back: a rerun brings every article back
    assert content_of(data) == everything

    # Down again for a rerun, and the next hour runs before the hour is rerun: the hour's contribution
    # to history was replaced, not added to, so the next hour fetches and publishes them.
    run_cycle(_ctx(data, degraded))
    next_hour = HOUR + timedelta(hours=1)
    run_cycle(_ctx(data, full, next_hour))
    assert _site_ids(data, next_hour, "daily-herald") == herald
    run_cycle(_ctx(data, full))  # they now belong to the next hour: a rerun does not double them
    assert _site_ids(data, HOUR, "daily-herald") == set()
    rows, distinct = readme_query(data)
    assert rows == distinct == len(everything["articles"])


def test_a_backfill_of_an_earlier_hour_does_not_publish_an_article_again(quick_newsroom, tmp_path):
    """Run H, then backfill H-1 (the newsroom serves the same links): every article belongs to the
    hour that first committed it, so H-1 publishes none of H's; the other way round, H-1 keeps them."""
    feeds = write_feeds(tmp_path / "feeds.yaml", quick_newsroom.base_url, feeds=["/metro-wire/atom.xml"])
    earlier = HOUR - timedelta(hours=1)
    for order in ([HOUR, earlier], [earlier, HOUR]):
        data = tmp_path / f"data-{order[0]:%H}"
        for hour in order:
            run_cycle(_ctx(data, feeds, hour))
        first, second = (summarize(data, hour)["articles"] for hour in order)
        assert first >= 12 and second == 0, order
        assert readme_query(data) == (first, first)
        # Rerunning either hour keeps it that way.
        for hour in order:
            run_cycle(_ctx(data, feeds, hour))
        assert [summarize(data, hour)["articles"] for hour in order] == [first, 0]


def test_a_second_run_of_a_running_hour_fails_cleanly_naming_the_holder(tmp_path):
    """A slow run holds the hour; a second run of it fails at once, naming the first, and publishes
    nothing; the hour ends with the first run's rows only."""
    from newsflow.newsroom.server import NewsroomServer, NewsroomState

    slow = NewsroomServer(0, NewsroomState(clock=HOUR, latency_ms=150, slow_seconds=0)).start_background()
    try:
        feeds = write_feeds(tmp_path / "feeds.yaml", slow.base_url, feeds=["/globe-post/feed.json"])
        data = tmp_path / "data"
        first = _ctx(data, feeds)
        errors: list[BaseException] = []
        runner = threading.Thread(target=lambda: _capture(errors, run_cycle, first))
        runner.start()
        time.sleep(0.5)
        second = RunContext.create(HOUR, Settings.from_env(data_root=data, feeds_file=feeds), lease_pid=os.getpid())
        with pytest.raises(HourBusy, match=f"held by run {first.run_id}.*newsflow unlock"):
            run_cycle(second)
        runner.join(120)
        assert not errors
        for dataset in ("articles", "facts", "runs", "fetches"):
            table = storage.read_partition(data, dataset, HOUR)
            assert table is not None and set(table.column("run_id").to_pylist()) == {first.run_id}, dataset
        run_cycle(second)  # once the first run is over, the hour is free again
    finally:
        slow.shutdown()
        slow.server_close()


def _capture(errors: list[BaseException], fn, *args) -> None:
    try:
        fn(*args)
    except BaseException as exc:  # noqa: BLE001 - reported by the test
        errors.append(exc)


def test_a_killed_run_does_not_block_the_next_one(quick_newsroom, tmp_path):
    feeds = write_feeds(tmp_path / "feeds.yaml", quick_newsroom.base_url, feeds=["/globe-post/feed.json"])
    data = tmp_path / "data"
    args = ["run", "--logical-date", HOUR.isoformat(), "--data", str(data), "--feeds", str(feeds), "--live"]
    assert run_in_child(args, failpoint="stage.after_extract") < 0
    assert run_in_child(args) == 0


def test_every_feed_failing_ends_non_zero_and_keeps_the_hour(quick_newsroom, tmp_path, capsys):
    feeds = write_feeds(tmp_path / "feeds.yaml", quick_newsroom.base_url, feeds=["/globe-post/feed.json"])
    data = tmp_path / "data"
    run_cycle(_ctx(data, feeds))
    before = content_of(data)
    dead = write_feeds(
        tmp_path / "dead.yaml", quick_newsroom.base_url, feeds=["/globe-post/feed.json"], down=["globe-post"]
    )
    with pytest.raises(AllFeedsFailed, match="all 1 feed"):
        run_cycle(_ctx(data, dead))
    assert content_of(data) == before
    code = main(["run", "--logical-date", HOUR.isoformat(), "--data", str(data), "--feeds", str(dead), "--live"])
    err = capsys.readouterr().err
    assert code == 1 and "nothing was published" in err and "Traceback" not in err


def test_datasets_and_raw_files_are_readable_by_the_group(quick_newsroom, tmp_path):
    feeds = write_feeds(tmp_path / "feeds.yaml", quick_newsroom.base_url, feeds=["/globe-post/feed.json"])
    data = tmp_path / "data"
    old = os.umask(0o027)
    try:
        run_cycle(_ctx(data, feeds))
    finally:
        os.umask(old)
    files = [p for p in data.rglob("*") if p.is_file() and not p.is_symlink() and "state" not in p.parts]
    parts = [p for p in files if p.name == "part-0.parquet"]
    raw = [p for p in files if "raw" in p.parts]
    assert len(parts) == len(storage.SCHEMAS) and raw
    for path in parts + raw:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode & 0o040 and not mode & 0o004, (path, oct(mode))  # group reads, others do not (umask 027)


def test_state_rebuild_recreates_the_history_from_the_datasets(quick_newsroom, tmp_path, capsys):
    feeds = write_feeds(tmp_path / "feeds.yaml", quick_newsroom.base_url, feeds=["/globe-post/feed.json"])
    data = tmp_path / "data"
    run_cycle(_ctx(data, feeds))
    state.history_path(data).unlink()
    assert main(["state", "rebuild", "--data", str(data)]) == 0
    assert "1 committed hour(s), 1 (re)applied" in capsys.readouterr().out
    run_cycle(_ctx(data, feeds, HOUR + timedelta(hours=1)))
    assert summarize(data, HOUR + timedelta(hours=1))["articles"] == 0


def test_the_shards_of_one_run_hold_the_hour_side_by_side_and_shut_out_every_other_run(tmp_path):
    from newsflow.locks import HourLease

    shard_a, shard_b = (HourLease(tmp_path, HOUR, "run-1") for _ in range(2))
    with shard_a.hold(shared=True), shard_b.hold(shared=True):  # two mapped fetch tasks of run-1
        # A whole-hour stage of run-1 waits for its shards; another run's shard is refused.
        with pytest.raises(HourBusy, match="running a stage right now"), HourLease(tmp_path, HOUR, "run-1").hold():
            pass
        with pytest.raises(HourBusy, match="run run-1"), HourLease(tmp_path, HOUR, "run-2").hold(shared=True):
            pass
    # run-1 has not published: run-2 stays out, run-1 goes on with its next stage.
    with pytest.raises(HourBusy, match="part-way through its stages"), HourLease(tmp_path, HOUR, "run-2").hold():
        pass
    with HourLease(tmp_path, HOUR, "run-1").hold():
        pass
