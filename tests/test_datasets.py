"""The analysts' reader: committed hours only, typed partition columns, older schema versions read
with today's schema (new columns null), never a half-written hour."""

from __future__ import annotations

import json
import os
import warnings
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from newsflow import datasets, publish, storage
from newsflow.publish import commit_hour

HOUR = datetime(2026, 11, 25, 10, tzinfo=UTC)

# The schemas as of schema_version 1, frozen here on purpose: every column of version 1 must still
# exist with the same type, and a partition written with them must still read.
V1 = {
    "articles": pa.schema(
        [
            pa.field("article_id", pa.string(), nullable=False),
            pa.field("url", pa.string(), nullable=False),
            pa.field("canonical_url", pa.string(), nullable=False),
            pa.field("feed", pa.string()),
            pa.field("site", pa.string()),
            pa.field("title", pa.string()),
            pa.field("authors", pa.list_(pa.string())),
            pa.field("published", pa.timestamp("us", tz="UTC")),
            pa.field("published_source", pa.string()),
            pa.field("updated", pa.timestamp("us", tz="UTC")),
            pa.field("language", pa.string()),
            pa.field("body", pa.string()),
            pa.field("body_source", pa.string()),
            pa.field("is_truncated", pa.bool_()),
            pa.field("word_count", pa.int32()),
            pa.field("content_hash", pa.string()),
            pa.field("story_id", pa.string()),
            pa.field("duplicate_of", pa.string()),
            pa.field("similarity", pa.float32()),
            pa.field("version", pa.int16()),
            pa.field("fetched_at", pa.timestamp("us", tz="UTC")),
            pa.field("raw_ref", pa.string()),
            pa.field("run_id", pa.string(), nullable=False),
            pa.field("schema_version", pa.int16(), nullable=False),
        ]
    ),
    "facts": pa.schema(
        [
            pa.field("article_id", pa.string(), nullable=False),
            pa.field("fact_id", pa.string(), nullable=False),
            pa.field("fact_type", pa.string(), nullable=False),
            pa.field("label", pa.string()),
            pa.field("text", pa.string()),
            pa.field("start", pa.int32()),
            pa.field("end", pa.int32()),
            pa.field("sentence", pa.string()),
            pa.field("value", pa.string()),
            pa.field("value_num", pa.float64()),
            pa.field("unit", pa.string()),
            pa.field("qualifier", pa.string()),
            pa.field("resolution", pa.string()),
            pa.field("speaker", pa.string()),
            pa.field("confidence", pa.float32()),
            pa.field("extractor", pa.string()),
            pa.field("extractor_version", pa.string()),
            pa.field("run_id", pa.string(), nullable=False),
            pa.field("schema_version", pa.int16(), nullable=False),
        ]
    ),
    "quarantine": pa.schema(
        [
            pa.field("dataset", pa.string(), nullable=False),
            pa.field("record_id", pa.string()),
            pa.field("row", pa.string(), nullable=False),
            pa.field("failed_expectations", pa.list_(pa.string()), nullable=False),
            pa.field("observed_values", pa.string()),
            pa.field("run_id", pa.string(), nullable=False),
            pa.field("schema_version", pa.int16(), nullable=False),
        ]
    ),
    "runs": pa.schema(
        [
            pa.field("run_id", pa.string(), nullable=False),
            pa.field("logical_hour", pa.timestamp("us", tz="UTC"), False),
            pa.field("stage", pa.string(), nullable=False),
            pa.field("feed", pa.string()),
            pa.field("url", pa.string()),
            pa.field("counts", pa.string()),
            pa.field("seconds", pa.float64()),
            pa.field("bytes", pa.int64()),
            pa.field("error_class", pa.string()),
            pa.field("error", pa.string()),
            pa.field("peak_rss", pa.int64()),
            pa.field("recorded_at", pa.timestamp("us", tz="UTC")),
            pa.field("schema_version", pa.int16(), False),
        ]
    ),
    "fetches": pa.schema(
        [
            pa.field("url", pa.string(), nullable=False),
            pa.field("final_url", pa.string()),
            pa.field("feed", pa.string()),
            pa.field("kind", pa.string(), nullable=False),
            pa.field("status", pa.int32()),
            pa.field("etag", pa.string()),
            pa.field("last_modified", pa.string()),
            pa.field("content_type", pa.string()),
            pa.field("bytes", pa.int64()),
            pa.field("seconds", pa.float64()),
            pa.field("error_class", pa.string()),
            pa.field("error", pa.string()),
            pa.field("raw_ref", pa.string()),
            pa.field("fetched_at", pa.timestamp("us", tz="UTC")),
            pa.field("run_id", pa.string(), nullable=False),
            pa.field("schema_version", pa.int16(), nullable=False),
        ]
    ),
}


def _article(i: int, hour: datetime = HOUR) -> dict:
    return {
        "article_id": f"{hour:%d%H}-{i}",
        "url": f"https://x/{i}",
        "canonical_url": f"https://x/{i}",
        "title": f"Story {i}",
        "word_count": 100 + i,
        "facts_status": "extracted",
        "run_id": f"run-{hour:%H}",
    }


def _commit(root: Path, hour: datetime, n: int) -> None:
    tables = {name: storage.to_table(name, []) for name in storage.SCHEMAS}
    tables["articles"] = storage.to_table("articles", [_article(i, hour) for i in range(n)])
    commit_hour(root, hour, tables, f"run-{hour:%d%H}")


@pytest.fixture
def root(tmp_path) -> Path:
    root = tmp_path / "data"
    _commit(root, HOUR, 3)
    _commit(root, HOUR + timedelta(hours=1), 2)
    _commit(root, HOUR + timedelta(days=1), 4)
    return root


def test_every_version_1_column_still_exists_with_its_type():
    # Datasets added later are new, not changed: each names the version that added it.
    assert set(V1) == set(storage.SCHEMAS) - set(storage.SINCE_VERSION)
    assert all(1 < v <= storage.SCHEMA_VERSION for v in storage.SINCE_VERSION.values())
    for name, old in V1.items():
        new = storage.SCHEMAS[name]
        for field in old:
            assert field.name in new.names, f"{name}.{field.name} was removed"
            assert new.field(field.name).type == field.type, f"{name}.{field.name} changed type"
        added = [f for f in new if f.name not in old.names]
        assert all(f.nullable for f in added), f"{name}: a column added later must be nullable"
    assert storage.SCHEMA_VERSION >= 2


def test_a_partition_written_with_the_version_1_schema_reads_with_todays(root):
    """Before versioned commits an hour was a plain directory with its file and marker."""
    old_hour = HOUR - timedelta(days=30)
    pdir = storage.partition_dir(root, "articles", old_hour)
    pdir.mkdir(parents=True)
    rows = [
        {**{k: v for k, v in _article(i, old_hour).items() if k != "facts_status"}, "schema_version": 1}
        for i in range(2)
    ]
    table = pa.Table.from_pylist(rows, schema=V1["articles"])
    pq.write_table(table, pdir / storage.PART_FILE)
    marker = {
        "dataset": "articles",
        "logical_hour": old_hour.isoformat(),
        "run_id": "old",
        "rows": 2,
        "content_sha256": storage.table_digest(table),
        "schema_version": 1,
    }
    (pdir / storage.SUCCESS_FILE).write_text(json.dumps(marker))

    got = datasets.read("articles", end=old_hour, data_root=root, verify=True)
    assert got.schema == datasets.schema("articles")
    assert got.num_rows == 2
    assert got.column("facts_status").to_pylist() == [None, None]  # added in version 2
    assert got.column("schema_version").to_pylist() == [1, 1]
    assert got.column("word_count").to_pylist() == [100, 101]
    both = datasets.read("articles", data_root=root)
    assert both.num_rows == 2 + 3 + 2 + 4
    assert both.column("facts_status").null_count == 2
    [partition] = datasets.partitions("articles", end=old_hour, data_root=root)
    assert partition.schema_version == 1


def test_partition_columns_are_typed_alike_in_pyarrow_pandas_and_duckdb(root):
    table = datasets.read("articles", data_root=root)
    assert table.schema.field("dt").type == pa.date32() and table.schema.field("hour").type == pa.int8()
    assert table.column("dt").to_pylist()[:3] == [date(2026, 11, 25)] * 3
    assert table.column("hour").to_pylist() == [10, 10, 10, 11, 11, 10, 10, 10, 10]

    df = datasets.read_pandas("articles", data_root=root, columns=["article_id", "dt", "hour"])
    con = duckdb.connect()
    rel = datasets.duckdb_relation("articles", data_root=root, con=con)
    assert rel.select("dt, hour").types == ["DATE", "TINYINT"]
    duck = con.sql("SELECT article_id, dt, hour FROM rel ORDER BY dt, hour, article_id").df()
    assert df.dtypes.to_dict() == duck.dtypes.to_dict()
    assert str(df.dtypes["dt"]) == "datetime64[us]" and str(df.dtypes["hour"]) == "int8"
    assert sorted(df["article_id"]) == sorted(duck["article_id"])

    sql = con.sql(
        f"SELECT dt, hour, count(*) AS n FROM {datasets.duckdb_sql('articles', root)} GROUP BY ALL ORDER BY ALL"
    )
    assert sql.types[:2] == ["DATE", "TINYINT"]
    assert sql.fetchall() == [(date(2026, 11, 25), 10, 3), (date(2026, 11, 25), 11, 2), (date(2026, 11, 26), 10, 4)]


def test_start_and_end_are_inclusive_hours_or_days(root):
    def n(**kw):
        return datasets.read("articles", data_root=root, **kw).num_rows

    assert n() == 9
    assert n(start="2026-11-25", end="2026-11-25") == 5  # a date is the whole day
    assert n(start="2026-11-25T11", end="2026-11-25T11:59") == 2
    assert n(start=datetime(2026, 11, 25, 11, 30)) == 6  # naive is UTC; minutes are ignored
    assert n(end=date(2026, 11, 24)) == 0
    assert n(start="2026-11-26T01:00:00+01:00") == 4  # 00:00 UTC


def test_columns_and_the_lazy_dataset(root):
    table = datasets.read("articles", data_root=root, columns=["article_id", "hour"])
    assert table.column_names == ["article_id", "hour"]
    with pytest.raises(KeyError, match="no_such"):
        datasets.read("articles", data_root=root, columns=["no_such"])
    with pytest.raises(KeyError, match="datasets are"):
        datasets.read("nope", data_root=root)
    ds = datasets.dataset("articles", data_root=root)
    import pyarrow.dataset as pads

    assert ds.to_table(filter=pads.field("hour") == 11).num_rows == 2
    assert datasets.read("facts", data_root=root).num_rows == 0
    assert datasets.read("articles", data_root=root / "empty").schema == datasets.schema("articles")


def test_an_uncommitted_hour_is_never_read(root):
    """A run that died after writing its version but before the switch: its links dangle."""
    hour = HOUR + timedelta(hours=2)
    version = root / publish.VERSIONS / publish.hour_key(hour) / "crashed"
    table = storage.to_table("articles", [_article(i, hour) for i in range(5)])
    storage.write_dataset_part(version / "articles", "articles", hour, table, "crashed")
    publish._ensure_partition_links(root, hour, ["articles"])
    assert storage.partition_dir(root, "articles", hour).is_symlink()
    assert datasets.read("articles", data_root=root).num_rows == 9


def test_a_bad_marker_skips_the_hour_with_a_warning(root):
    marker = storage.partition_dir(root, "articles", HOUR) / storage.SUCCESS_FILE
    doc = json.loads(marker.read_text())
    marker.write_text(json.dumps({**doc, "rows": 99}))
    with pytest.warns(datasets.PartitionSkipped, match="the file has 3 rows, its marker says 99"):
        assert datasets.read("articles", data_root=root).num_rows == 6
    os.unlink(os.path.realpath(marker))
    with pytest.warns(datasets.PartitionSkipped, match="no _SUCCESS marker"):
        assert datasets.read("articles", data_root=root).num_rows == 6


def test_verify_recomputes_the_content_hash(root):
    part = Path(os.path.realpath(storage.partition_dir(root, "articles", HOUR))) / storage.PART_FILE
    table = pq.read_table(part)
    tampered = table.set_column(
        table.schema.get_field_index("title"), table.schema.field("title"), pa.array(["changed"] * 3)
    )
    pq.write_table(tampered, part)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert datasets.read("articles", data_root=root).num_rows == 9  # rows still match the marker
    with pytest.warns(datasets.PartitionSkipped, match="content hash"):
        assert datasets.read("articles", data_root=root, verify=True).num_rows == 6


def test_a_listed_hour_stays_readable_while_a_rerun_commits(root):
    [before] = datasets.partitions("articles", start=HOUR, end=HOUR, data_root=root)
    _commit(root, HOUR, 7)  # the rerun switches the hour to a new version
    assert pq.read_table(before.file).num_rows == 3  # the listed version is kept one commit longer
    assert datasets.read("articles", start=HOUR, end=HOUR, data_root=root).num_rows == 7


def test_the_data_root_defaults_to_the_settings(root, monkeypatch):
    monkeypatch.setenv("NEWSFLOW_DATA", str(root))
    assert datasets.read("articles").num_rows == 9
