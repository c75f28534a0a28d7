"""SIGKILL a real ``newsflow run`` at every stage boundary and at every step of the commit, then
rerun: the hour equals a clean run's, and at no moment does the README's DuckDB query see a
half-written or doubled hour."""

from __future__ import annotations

import shutil
from datetime import timedelta

import pytest

from newsflow.cycle import STAGE_NAMES
from newsflow.report import summarize
from tests.conftest import HOUR
from tests.reliability.conftest import KILLED, content_of, readme_query, run_in_child, write_feeds

STAGE_POINTS = [f"stage.after_{name}" for name in STAGE_NAMES if name != "publish"]
PUBLISH_POINTS = [
    "publish.after_temp_file",
    "publish.between_datasets",
    "publish.before_commit",
    "publish.after_commit",
    "publish.before_state",
    "publish.after_state",
]
CRASH_POINTS = STAGE_POINTS + PUBLISH_POINTS


def _run_args(data, feeds, hour=HOUR):
    return ["run", "--logical-date", hour.isoformat(), "--data", str(data), "--feeds", str(feeds), "--live"]


@pytest.fixture(scope="module")
def clean(quick_newsroom, tmp_path_factory):
    """A clean run of the hour: the reference every recovered run must equal."""
    root = tmp_path_factory.mktemp("clean")
    # One site's feed (16 articles) keeps each of the ~40 runs below short; the commit does not
    # depend on how many rows an hour has.
    feeds = write_feeds(root / "feeds.yaml", quick_newsroom.base_url, feeds=["/globe-post/feed.json"])
    data = root / "data"
    assert run_in_child(_run_args(data, feeds)) == 0
    content = content_of(data)
    assert len(content["articles"]) >= 12 and content["facts"]
    return data, feeds, content


def _no_stray_files(data) -> None:
    """No temp file carries a name a reader's glob matches, and an hour keeps at most two versions."""
    visible = [p.name for p in (data / "articles").glob("*/*/*.parquet")]
    assert visible in ([], ["part-0.parquet"])
    for dataset in ("articles", "facts", "quarantine", "runs", "fetches"):
        assert not list((data / dataset).rglob("*.tmp*")), dataset
    versions = list((data / "_versions" / f"{HOUR:%Y-%m-%dT%H}").iterdir())
    assert len(versions) <= 3  # the committed one, the one before it, and the killed run's leftovers


@pytest.mark.parametrize("point", CRASH_POINTS)
def test_killed_rerun_leaves_the_old_or_the_new_hour_whole_and_a_rerun_equals_a_clean_run(clean, tmp_path, point):
    published, feeds, expected = clean
    data = tmp_path / "data"
    shutil.copytree(published, data, symlinks=True)
    rows = len(expected["articles"])

    assert run_in_child(_run_args(data, feeds), failpoint=point) == KILLED
    assert readme_query(data) == (rows, rows)  # the old hour or the new one, whole, never both
    _no_stray_files(data)

    assert run_in_child(_run_args(data, feeds)) == 0
    assert content_of(data) == expected
    assert readme_query(data) == (rows, rows)
    _no_stray_files(data)


@pytest.mark.parametrize("point", ["stage.after_facts", "publish.before_commit", "publish.before_state"])
def test_first_run_of_an_hour_killed_then_the_next_hour_doubles_nothing(clean, tmp_path, point):
    """A first run killed before its commit leaves no hour; killed after it, the hour is whole and the
    dedup history (derived from committed hours) still knows its articles, so the next hour does not
    publish them again."""
    _, feeds, expected = clean
    data = tmp_path / "data"
    rows = len(expected["articles"])

    assert run_in_child(_run_args(data, feeds), failpoint=point) == KILLED
    committed = point == "publish.before_state"
    assert readme_query(data) == ((rows, rows) if committed else (0, 0))

    next_hour = HOUR + timedelta(hours=1)
    assert run_in_child(_run_args(data, feeds, next_hour)) == 0
    later = summarize(data, next_hour)
    assert later["articles"] == (0 if committed else rows)
    assert readme_query(data) == (rows, rows)
