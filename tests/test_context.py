from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from newsflow.config import Settings
from newsflow.context import RunContext, floor_hour, parse_logical_date


def test_logical_dates_floor_to_the_utc_hour():
    assert parse_logical_date("2026-11-25T10:42:13+02:00") == datetime(2026, 11, 25, 8, tzinfo=UTC)
    assert parse_logical_date("2026-11-25") == datetime(2026, 11, 25, 0, tzinfo=UTC)
    assert floor_hour(datetime(2026, 11, 25, 10, 59)) == datetime(2026, 11, 25, 10, tzinfo=UTC)
    assert floor_hour(datetime(2026, 11, 25, 1, 5, tzinfo=timezone(timedelta(hours=3)))).hour == 22


@pytest.mark.parametrize("text", ["0001-01-01", "9999-12-31T23:59:59+00:00", "1989-12-31T23:00", "noon"])
def test_out_of_range_or_unparseable_dates_name_the_flag(text):
    with pytest.raises(ValueError, match="--start .*2026-11-25T10:00"):
        parse_logical_date(text, "--start")


def test_reference_round_trips_through_json_types(tmp_path):
    ctx = RunContext.create(
        datetime(2026, 11, 25, 10, 30, tzinfo=UTC), Settings(data_root=tmp_path, feeds_file=Path("f.yaml"))
    )
    ref = ctx.to_ref()
    assert all(v is None or isinstance(v, str | bool | int) for v in ref.values())
    assert RunContext.from_ref(ref) == ctx and ctx.logical_hour.minute == 0
    assert ctx.staging.parent == tmp_path.resolve() / "_staging"


def test_loading_a_table_no_stage_wrote_says_which_stage_to_run(tmp_path):
    ctx = RunContext.create(datetime(2026, 11, 25, 10, tzinfo=UTC), Settings(data_root=tmp_path))
    with pytest.raises(FileNotFoundError, match="run the stage that writes 'links'"):
        ctx.load("links")


def test_hour_ranges_include_both_ends_and_are_empty_backwards():
    from newsflow.context import each_hour, hour_count

    start = datetime(2026, 11, 25, 22, tzinfo=UTC)
    assert list(each_hour(start, start + timedelta(hours=3))) == [start + timedelta(hours=i) for i in range(4)]
    assert hour_count(start, start) == 1 and hour_count(start, start - timedelta(hours=1)) == 0
