"""Real Great Expectations over article rows: failing rows are quarantined with their reasons."""

import json
from datetime import UTC, datetime

import pyarrow as pa
import pytest

from newsflow.config import DEFAULT_EXPECTATIONS_DIR
from newsflow.storage import to_table
from newsflow.validate import SuiteError, suite_path, validate_table
from newsflow.validate.frames import occurrence
from newsflow.validate.suites import load_suite, suite_columns

SUITES = DEFAULT_EXPECTATIONS_DIR
BODY = "The council met on Tuesday to vote on the budget for the next year. " * 6


def _row(i: int, **overrides) -> dict:
    row = {
        "article_id": f"a{i}",
        "url": f"https://example.com/{i}",
        "canonical_url": f"https://example.com/{i}",
        "title": f"Story {i}",
        "body": BODY,
        "word_count": 84,
        "body_source": "trafilatura",
        "published": datetime(2026, 11, 25, 9, tzinfo=UTC),
        "fetched_at": datetime(2026, 11, 25, 10, tzinfo=UTC),
        "language": "en",
        "content_hash": "a" * 64,
        "run_id": "r",
    }
    row.update(overrides)
    return row


@pytest.mark.parametrize("dataset", ["articles", "facts"])
def test_suite_files_are_valid_json_with_reasons(dataset):
    doc = json.loads(suite_path(SUITES, dataset).read_text())
    assert len(doc["expectations"]) >= 15
    assert all(e["meta"]["reason"] and e["meta"]["reason"].islower() for e in doc["expectations"])
    assert load_suite(SUITES, dataset)["name"] == dataset


def test_good_rows_pass_and_bad_rows_carry_every_reason():
    rows = [
        _row(0),
        _row(1, title=None),
        _row(2, body=None, word_count=0),
        _row(3, published=datetime(2030, 1, 1, tzinfo=UTC)),
        _row(4, body="", word_count=0, body_source="video_only", language="english"),
        _row(5, url="javascript:alert(1)"),
    ]
    outcome = validate_table(
        "articles", to_table("articles", rows), id_column="article_id", suites_dir=SUITES, run_id="r"
    )
    assert outcome.good.column("article_id").to_pylist() == ["a0"]
    reasons = {q["record_id"]: q["failed_expectations"] for q in outcome.quarantined}
    assert reasons == {
        "a1": ["title_missing"],
        "a2": ["body_missing"],
        "a3": ["published_in_future"],
        "a4": ["body_not_text", "body_too_short", "language_not_allowed", "video_only_page"],
        "a5": ["url_invalid"],
    }
    q3 = next(q for q in outcome.quarantined if q["record_id"] == "a3")
    assert json.loads(q3["observed_values"])["published_in_future.published"].startswith("2030-01-01")
    assert json.loads(q3["row"])["article_id"] == "a3"
    assert outcome.expectations_run == len(load_suite(SUITES, "articles")["expectations"])
    assert outcome.result is not None and outcome.result.failed["title_missing"] == 1


def test_the_first_of_duplicate_ids_passes_and_the_repeats_are_quarantined():
    outcome = validate_table(
        "articles",
        to_table("articles", [_row(0), _row(0), _row(0)]),
        id_column="article_id",
        suites_dir=SUITES,
        run_id="r",
    )
    assert outcome.good.num_rows == 1
    assert len(outcome.quarantined) == 2
    assert all(q["failed_expectations"] == ["article_id_not_unique", "url_not_unique"] for q in outcome.quarantined)


def test_occurrence_counts_each_value_in_batch_order():
    assert occurrence(pa.array(["a", "b", "a", None, "a", "b", None])).to_pylist() == [1, 1, 2, None, 3, 2, None]
    assert occurrence(pa.array([], pa.string())).to_pylist() == []


def test_empty_table_passes_through():
    outcome = validate_table(
        "articles", to_table("articles", []), id_column="article_id", suites_dir=SUITES, run_id="r"
    )
    assert outcome.good.num_rows == 0 and outcome.quarantined == []


def test_repeated_validation_reuses_one_asset():
    from newsflow.validate import _context

    for _ in range(3):
        validate_table(
            "articles", to_table("articles", [_row(0)]), id_column="article_id", suites_dir=SUITES, run_id="r"
        )
    source = _context().data_sources.get("newsflow-articles")
    assert [a.name for a in source.assets] == ["articles"]


def test_the_validation_frame_never_holds_the_body():
    columns = suite_columns(load_suite(SUITES, "articles"))
    assert "body" not in columns  # 100,000 bodies must not be copied into pandas
    assert "_text_quality" in columns and "_body_length" in columns


def test_a_suite_reading_a_column_nobody_has_is_a_configuration_error(tmp_path):
    (tmp_path / "articles.json").write_text(
        json.dumps(
            {
                "name": "articles",
                "expectations": [
                    {
                        "type": "expect_column_values_to_not_be_null",
                        "kwargs": {"column": "no_such_column"},
                        "meta": {"reason": "x_missing"},
                    }
                ],
            }
        )
    )
    with pytest.raises(SuiteError, match="no_such_column"):
        validate_table("articles", to_table("articles", [_row(0)]), "article_id", tmp_path, "r")


def test_an_expectation_without_a_reason_is_refused(tmp_path):
    (tmp_path / "articles.json").write_text(
        json.dumps(
            {
                "name": "articles",
                "expectations": [{"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "url"}}],
            }
        )
    )
    with pytest.raises(SuiteError, match="meta.reason"):
        validate_table("articles", to_table("articles", [_row(0)]), "article_id", tmp_path, "r")


def test_an_expectation_gx_cannot_evaluate_fails_the_suite_instead_of_every_row(tmp_path):
    (tmp_path / "articles.json").write_text(
        json.dumps(
            {
                "name": "articles",
                "expectations": [
                    {
                        "type": "expect_column_values_to_be_between",
                        "kwargs": {"column": "url", "min_value": 3},
                        "meta": {"reason": "url_number"},
                    }
                ],
            }
        )
    )
    with pytest.raises(SuiteError, match="url_number"):
        validate_table("articles", to_table("articles", [_row(0)]), "article_id", tmp_path, "r")


def test_a_table_level_expectation_quarantines_every_row(tmp_path):
    (tmp_path / "articles.json").write_text(
        json.dumps(
            {
                "name": "articles",
                "expectations": [
                    {
                        "type": "expect_table_row_count_to_be_between",
                        "kwargs": {"min_value": 5},
                        "meta": {"reason": "too_few_rows"},
                    }
                ],
            }
        )
    )
    outcome = validate_table("articles", to_table("articles", [_row(0), _row(1)]), "article_id", tmp_path, "r")
    assert outcome.good.num_rows == 0
    assert [q["failed_expectations"] for q in outcome.quarantined] == [["too_few_rows"], ["too_few_rows"]]


def test_a_missing_suite_names_the_path(tmp_path):
    with pytest.raises(FileNotFoundError):
        validate_table("articles", to_table("articles", [_row(0)]), "article_id", tmp_path, "r")


def test_without_rows_keeps_order_with_or_without_copying():
    from newsflow.validate.tables import without_rows

    table = pa.table({"i": list(range(1000))})
    for drop in ([], [0], [999], [3, 4, 5, 500], list(range(0, 1000, 7)), list(range(1000))):
        got = without_rows(table, drop)
        assert got.column("i").to_pylist() == [i for i in range(1000) if i not in set(drop)]
