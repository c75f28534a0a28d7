"""``newsflow backfill`` hour by hour: live only when asked, replayed when recorded, nothing doubled."""

from __future__ import annotations

from datetime import timedelta

from newsflow.cli import main
from newsflow.report import summarize
from tests.conftest import HOUR
from tests.reliability.conftest import content_of, readme_query, write_feeds


def test_backfill_refuses_past_hours_without_recordings_then_replays_what_it_fetched(quick_newsroom, tmp_path, capsys):
    feeds = write_feeds(tmp_path / "feeds.yaml", quick_newsroom.base_url, feeds=["/globe-post/feed.json"])
    data = tmp_path / "data"
    args = ["backfill", "--from", "2026-11-25T10:00", "--to", "2026-11-25T12:00", "--data", str(data)]
    args += ["--feeds", str(feeds), "--engine", "local"]

    assert main(args) == 1  # days in the past, never fetched: today's feeds must not fill them
    err = capsys.readouterr().err
    assert "[1/3]" in err and "pass live" in err and "failed hours" in err and readme_query(data) == (0, 0)

    assert main([*args, "--live"]) == 0
    hours = [HOUR + timedelta(hours=i) for i in range(3)]
    first = {hour: content_of(data, hour) for hour in hours}
    published = [summarize(data, hour)["articles"] for hour in hours]
    assert published[0] >= 12 and published[1:] == [0, 0]  # an article belongs to the first hour that had it
    assert readme_query(data) == (published[0], published[0])

    requests = quick_newsroom.state.requests
    assert main(args) == 0  # recorded now: replayed, offline, the same rows
    assert quick_newsroom.state.requests == requests
    assert {hour: content_of(data, hour) for hour in hours} == first
