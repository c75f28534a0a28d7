"""Facts recomputed from stored articles: same facts from the same extractor, the hour committed again."""

import shutil
from datetime import timedelta

from newsflow import storage
from newsflow.cli import main
from newsflow.publish import committed_version
from newsflow.reprocess import facts_are_current, reprocess_hour
from tests.conftest import HOUR


def test_reprocessing_an_hour_gives_the_same_facts_as_a_new_version(published_hour, tmp_path, capsys):
    _, ctx = published_hour
    data = tmp_path / "data"
    shutil.copytree(ctx.data_root, data, symlinks=True)
    before = {name: storage.read_partition(data, name, HOUR) for name in ("articles", "facts", "quarantine", "runs")}
    version = committed_version(data, HOUR)
    assert facts_are_current(data, HOUR)
    assert not reprocess_hour(data, HOUR, "r1", only_if_stale=True).done
    result = reprocess_hour(data, HOUR, "r1")
    assert result.done and result.facts == before["facts"].num_rows > 0
    assert committed_version(data, HOUR) != version
    after = {name: storage.read_partition(data, name, HOUR) for name in before}
    assert sorted(after["facts"].column("fact_id").to_pylist()) == sorted(before["facts"].column("fact_id").to_pylist())
    assert after["articles"].column("facts_status").to_pylist() == before["articles"].column("facts_status").to_pylist()
    assert after["quarantine"].num_rows == before["quarantine"].num_rows
    assert after["runs"].num_rows == before["runs"].num_rows + 1
    assert not reprocess_hour(data, HOUR + timedelta(hours=5), "r1").done  # never committed: nothing to do
    code = main(["facts", "--reprocess", "--from", "2026-11-25T09:00", "--to", "2026-11-25T10:00", "--data", str(data)])
    assert code == 0 and "reprocessed the facts of 1 of 2 hour(s)" in capsys.readouterr().out


def test_reprocess_without_a_range_says_what_to_pass(capsys, tmp_path):
    assert main(["facts", "--reprocess", "--data", str(tmp_path)]) == 2
    assert "--from and --to" in capsys.readouterr().err
