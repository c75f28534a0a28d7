"""Housekeeping removes what no reader can see and changes nothing a reader sees."""

import os
import shutil
import time

from newsflow.compact import compact
from newsflow.publish import VERSIONS
from tests.conftest import HOUR
from tests.reliability.conftest import content_of, readme_query


def test_compact_removes_old_versions_and_dead_staging_but_not_what_readers_see(published_hour, tmp_path):
    _, ctx = published_hour
    data = tmp_path / "data"
    shutil.copytree(ctx.data_root, data, symlinks=True)
    versions = data / VERSIONS / f"{HOUR:%Y-%m-%dT%H}"
    (committed,) = list(versions.iterdir())
    for name in ("00000000T000000000000-old-a", "00000000T000000000001-old-b"):
        shutil.copytree(committed, versions / name)
    crashed = versions / "99999999T999999999999-crashed"
    shutil.copytree(committed, crashed)
    dead_run = data / "_staging" / "dead-run"
    dead_run.mkdir(parents=True)
    old = time.time() - 3 * 86400
    for path in (crashed, dead_run):
        os.utime(path, (old, old))
    live_run = data / "_staging" / "live-run"
    live_run.mkdir()
    before = content_of(data), readme_query(data)

    report = compact(data)
    assert report.damaged == [] and report.hours_checked == 1
    assert report.versions_removed == 2 and report.staging_removed == 1  # old-a, the crashed one; the dead run
    assert sorted(v.name for v in versions.iterdir()) == sorted([committed.name, "00000000T000000000001-old-b"])
    assert live_run.exists() and not dead_run.exists()
    assert (content_of(data), readme_query(data)) == before


def test_a_damaged_partition_is_reported(published_hour, tmp_path):
    _, ctx = published_hour
    data = tmp_path / "data"
    shutil.copytree(ctx.data_root, data, symlinks=True)
    (part,) = (data / "facts").glob("*/*/part-0.parquet")
    part.resolve().unlink()
    assert compact(data).damaged == [f"{HOUR:%Y-%m-%dT%H}/facts: missing"]
