from datetime import UTC, datetime

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from newsflow import storage

HOUR = datetime(2026, 11, 25, 10, tzinfo=UTC)


def test_partition_dir_is_hive_style_by_logical_hour(tmp_path):
    assert storage.partition_dir(tmp_path, "articles", HOUR) == tmp_path / "articles" / "dt=2026-11-25" / "hour=10"


def test_to_table_uses_exact_schema_and_rejects_unknown_columns():
    table = storage.to_table("runs", [{"run_id": "r", "logical_hour": HOUR, "stage": "s"}])
    assert table.schema == storage.RUNS
    assert table.column("schema_version").to_pylist() == [storage.SCHEMA_VERSION]
    with pytest.raises(KeyError, match="unknown column"):
        storage.to_table("runs", [{"run_id": "r", "logical_hour": HOUR, "stage": "s", "bogus": 1}])


def test_publish_replaces_partition_and_marks_it(tmp_path):
    first = storage.to_table("runs", [{"run_id": "a", "logical_hour": HOUR, "stage": "x"}] * 3)
    second = storage.to_table("runs", [{"run_id": "b", "logical_hour": HOUR, "stage": "y"}])
    storage.publish_partitions(tmp_path, HOUR, {"runs": first}, "a")
    markers = storage.publish_partitions(tmp_path, HOUR, {"runs": second}, "b")
    pdir = storage.partition_dir(tmp_path, "runs", HOUR)
    assert sorted(p.name for p in pdir.iterdir()) == ["_SUCCESS", "part-0.parquet"]  # no temp files left
    assert storage.read_partition(tmp_path, "runs", HOUR).column("run_id").to_pylist() == ["b"]
    assert markers["runs"]["rows"] == 1
    # A reader of the whole dataset sees hive partitions as columns.
    dataset = pq.read_table(tmp_path / "runs", partitioning="hive")
    assert dataset.num_rows == 1 and set(dataset.column_names) >= {"dt", "hour"}


def test_unmarked_partition_is_not_trusted(tmp_path):
    table = storage.to_table("runs", [{"run_id": "a", "logical_hour": HOUR, "stage": "x"}])
    storage.publish_partitions(tmp_path, HOUR, {"runs": table}, "a")
    (storage.partition_dir(tmp_path, "runs", HOUR) / "_SUCCESS").unlink()
    assert storage.read_partition(tmp_path, "runs", HOUR) is None


def test_publish_rejects_wrong_schema(tmp_path):
    with pytest.raises(TypeError):
        storage.publish_partitions(tmp_path, HOUR, {"runs": pa.table({"x": [1]})}, "a")


def test_failed_write_leaves_previous_file(tmp_path, monkeypatch):
    good = storage.to_table("runs", [{"run_id": "a", "logical_hour": HOUR, "stage": "x"}])
    storage.publish_partitions(tmp_path, HOUR, {"runs": good}, "a")

    def boom(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(storage.pq, "write_table", boom)
    with pytest.raises(OSError):
        storage.write_table_atomic(good, storage.partition_dir(tmp_path, "runs", HOUR) / storage.PART_FILE)
    pdir = storage.partition_dir(tmp_path, "runs", HOUR)
    assert [p.name for p in pdir.glob(".tmp-*")] == []
    assert pq.read_table(pdir / storage.PART_FILE).num_rows == 1
