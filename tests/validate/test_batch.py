"""Batch-level checks: a schema mismatch stops the run with a message that says what to do; an hour
far below its usual volume is a warning for ``runs``."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pyarrow as pa
import pytest

from newsflow import storage
from newsflow.errors import PipelineError
from newsflow.publish import commit_hour
from newsflow.runs import StageRecorder
from newsflow.validate.batch import (
    VOLUME_ANOMALY,
    BatchFailure,
    check_schema,
    check_schemas,
    same_hour_history,
    schema_differences,
    volume_check,
)

HOUR = datetime(2026, 11, 25, 10, tzinfo=UTC)


def _articles(n: int) -> pa.Table:
    return storage.to_table(
        "articles",
        [
            {"article_id": f"a{i}", "url": f"https://x/{i}", "canonical_url": f"https://x/{i}", "run_id": "r"}
            for i in range(n)
        ],
    )


def test_tables_built_with_their_schema_pass():
    check_schemas({name: storage.to_table(name, []) for name in storage.SCHEMAS})
    check_schemas({"articles": _articles(3), "links": pa.table({"x": [1]})})  # staged-only tables are not checked


def test_a_schema_mismatch_fails_the_batch_and_says_what_to_do():
    wrong = _articles(2)
    wrong = wrong.set_column(wrong.schema.get_field_index("word_count"), "word_count", pa.array([1, 2], pa.int64()))
    wrong = wrong.drop_columns(["facts_status"])
    with pytest.raises(BatchFailure) as info:
        check_schemas({"articles": wrong, "facts": storage.to_table("facts", [])}, run_id="run-1", data_root="/d")
    message = str(info.value)
    assert isinstance(info.value, PipelineError)
    assert "nothing of the hour was published" in message
    assert "column 'word_count' is int64, expected int32" in message
    assert "missing column 'facts_status'" in message
    assert "/d/_staging/run-1" in message and "run the hour again" in message
    assert "facts" not in message.split("articles:")[0]  # only the broken table is named


def test_schema_differences_names_each_kind():
    expected = pa.schema([pa.field("a", pa.int32(), nullable=False), pa.field("b", pa.string())])
    assert schema_differences(expected, expected) == []
    assert schema_differences(expected, pa.schema([("b", pa.string()), ("a", pa.int32())])) == [
        "column 'a' is nullable, expected not nullable"
    ]
    assert schema_differences(expected, pa.schema([pa.field("b", pa.string()), pa.field("a", pa.int32(), False)])) == [
        "columns in another order: ['b', 'a']"
    ]
    assert schema_differences(expected, pa.schema([pa.field("a", pa.int32(), False), ("c", pa.int8())])) == [
        "missing column 'b' (string)",
        "unexpected column 'c' (int8)",
    ]
    with pytest.raises(BatchFailure):
        check_schema("quarantine", pa.table({"dataset": ["articles"]}))


@pytest.mark.parametrize(
    ("history", "count", "warned"),
    [
        ([100, 110, 90], 29, True),  # 29 % of 100
        ([100, 110, 90], 30, False),  # at the threshold: no warning
        ([100, 110], 0, False),  # two earlier points are not enough
        ([0, 0, 0], 0, False),  # a quiet hour is always quiet
        ([100, 100, 100, 100, 0], 10, True),
        ([], 0, False),
    ],
)
def test_volume_check(history, count, warned):
    warning = volume_check(history, count, threshold=0.3, min_points=3)
    assert (warning is not None) is warned
    if warning:
        assert warning.count == count and warning.points == len(history)
        assert f"{count} articles this hour" in warning.message


def test_a_volume_warning_becomes_a_runs_row():
    warning = volume_check([200, 180, 220, 200], 12, threshold=0.3)
    assert warning is not None
    rec = StageRecorder("run-1", HOUR, "validate")
    rec.record(**warning.as_record())
    rows = rec.finish()
    flagged = [r for r in rows if r["error_class"] == VOLUME_ANOMALY]
    assert len(flagged) == 1
    assert "6% of the average 200.0" in flagged[0]["error"]
    assert json.loads(flagged[0]["counts"]) == {"average": 200.0, "count": 12, "points": 4, "threshold": 0.3}
    assert storage.to_table("runs", rows).num_rows == 2


def test_same_hour_history_reads_committed_markers(tmp_path):
    root = tmp_path / "data"
    for back, n in ((1, 40), (2, 50), (4, 60)):
        tables = {name: storage.to_table(name, []) for name in storage.SCHEMAS}
        tables["articles"] = _articles(n)
        commit_hour(root, HOUR - timedelta(days=back), tables, f"run-{back}")
    other = {name: storage.to_table(name, []) for name in storage.SCHEMAS}
    commit_hour(root, HOUR - timedelta(days=1, hours=1), {**other, "articles": _articles(999)}, "other-hour")
    assert same_hour_history(root, HOUR, days=7) == [40, 50, 60]  # day 3 never ran; 09:00 is another hour
    assert same_hour_history(root, HOUR, days=2) == [40, 50]
    assert volume_check(same_hour_history(root, HOUR), 10) is not None
