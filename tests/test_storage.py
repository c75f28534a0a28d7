from datetime import UTC, datetime

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from newsflow import storage
from newsflow.publish import commit_hour

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
    commit_hour(tmp_path, HOUR, {"runs": first}, "a")
    markers = commit_hour(tmp_path, HOUR, {"runs": second}, "b")
    pdir = storage.partition_dir(tmp_path, "runs", HOUR)
    assert sorted(p.name for p in pdir.iterdir()) == ["_SUCCESS", "part-0.parquet"]  # no temp files left
    assert storage.read_partition(tmp_path, "runs", HOUR).column("run_id").to_pylist() == ["b"]
    assert markers["runs"]["rows"] == 1
    # A reader of the whole dataset sees hive partitions as columns.
    dataset = pq.read_table(tmp_path / "runs", partitioning="hive")
    assert dataset.num_rows == 1 and set(dataset.column_names) >= {"dt", "hour"}


def test_unmarked_partition_is_not_trusted(tmp_path):
    table = storage.to_table("runs", [{"run_id": "a", "logical_hour": HOUR, "stage": "x"}])
    commit_hour(tmp_path, HOUR, {"runs": table}, "a")
    (storage.partition_dir(tmp_path, "runs", HOUR) / "_SUCCESS").unlink()
    assert storage.read_partition(tmp_path, "runs", HOUR) is None


def test_publish_rejects_wrong_schema(tmp_path):
    with pytest.raises(TypeError):
        commit_hour(tmp_path, HOUR, {"runs": pa.table({"x": [1]})}, "a")


def test_failed_write_leaves_previous_file(tmp_path, monkeypatch):
    good = storage.to_table("runs", [{"run_id": "a", "logical_hour": HOUR, "stage": "x"}])
    commit_hour(tmp_path, HOUR, {"runs": good}, "a")

    def boom(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(storage.pq, "write_table", boom)
    with pytest.raises(OSError):
        storage.write_table_atomic(good, storage.partition_dir(tmp_path, "runs", HOUR) / storage.PART_FILE)
    pdir = storage.partition_dir(tmp_path, "runs", HOUR)
    assert [p.name for p in pdir.glob(".tmp-*")] == []
    assert pq.read_table(pdir / storage.PART_FILE).num_rows == 1


def test_digest_is_a_function_of_the_rows_not_of_chunking_or_encoding(tmp_path):
    import hashlib

    rows = [
        {"run_id": f"r{i}", "logical_hour": HOUR, "stage": "s", "counts": '{"n": 1}', "seconds": i / 3}
        for i in range(10)
    ]
    whole = storage.to_table("runs", rows)
    chunked = pa.concat_tables([storage.to_table("runs", rows[:3]), storage.to_table("runs", rows[3:])])
    assert chunked.column("run_id").num_chunks == 2
    assert storage.table_digest(whole) == storage.table_digest(chunked)
    assert storage.table_digest(whole) != storage.table_digest(storage.to_table("runs", rows[::-1]))
    # Anyone can recompute the marker's hash from the published file with the documented recipe.
    marker = commit_hour(tmp_path, HOUR, {"runs": chunked}, "r")["runs"]
    published = pq.read_table(storage.partition_dir(tmp_path, "runs", HOUR) / "part-0.parquet")
    recipe = hashlib.sha256("".join(storage.row_json(r) + "\n" for r in published.to_pylist()).encode()).hexdigest()
    assert marker["content_sha256"] == recipe


def test_atomic_write_leaves_the_old_file_when_the_writer_fails(tmp_path):
    target = tmp_path / "part-0.parquet"
    storage.atomic_write_bytes(target, b"old")

    def broken(fh):
        fh.write(b"half")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        storage.atomic_write(target, broken)
    assert target.read_bytes() == b"old" and [p.name for p in tmp_path.iterdir()] == ["part-0.parquet"]
