"""Real Great Expectations over article rows: failing rows are quarantined with their reasons."""

import json
from datetime import UTC, datetime

from newsflow.config import DEFAULT_EXPECTATIONS_DIR
from newsflow.storage import to_table
from newsflow.validate import suite_path, validate_table

SUITES = DEFAULT_EXPECTATIONS_DIR


def _row(i: int, **overrides) -> dict:
    row = {
        "article_id": f"a{i}",
        "url": f"https://example.com/{i}",
        "canonical_url": f"https://example.com/{i}",
        "title": f"Story {i}",
        "body": "word " * 80,
        "word_count": 80,
        "body_source": "trafilatura",
        "published": datetime(2026, 11, 25, 9, tzinfo=UTC),
        "fetched_at": datetime(2026, 11, 25, 10, tzinfo=UTC),
        "language": "en",
        "content_hash": "a" * 64,
        "run_id": "r",
    }
    row.update(overrides)
    return row


def test_suite_file_is_valid_json_with_reasons():
    doc = json.loads(suite_path(SUITES, "articles").read_text())
    assert len(doc["expectations"]) >= 10
    assert all(e["meta"]["reason"] for e in doc["expectations"])


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
        "a2": ["body_missing", "body_too_short_or_long"],
        "a3": ["published_in_future"],
        "a4": ["body_too_short_or_long", "language_invalid", "video_only_page"],
        "a5": ["url_invalid"],
    }
    q3 = next(q for q in outcome.quarantined if q["record_id"] == "a3")
    assert json.loads(q3["observed_values"])["published_in_future.published"].startswith("2030-01-01")
    assert json.loads(q3["row"])["article_id"] == "a3"


def test_duplicate_ids_are_quarantined():
    outcome = validate_table(
        "articles", to_table("articles", [_row(0), _row(0)]), id_column="article_id", suites_dir=SUITES, run_id="r"
    )
    assert outcome.good.num_rows == 0
    assert len(outcome.quarantined) == 2
    assert all("article_id_not_unique" in q["failed_expectations"] for q in outcome.quarantined)


def test_empty_table_passes_through():
    outcome = validate_table(
        "articles", to_table("articles", []), id_column="article_id", suites_dir=SUITES, run_id="r"
    )
    assert outcome.good.num_rows == 0 and outcome.quarantined == []


def test_repeated_validation_leaves_no_assets_behind():
    from newsflow.validate import _context

    for _ in range(3):
        validate_table(
            "articles", to_table("articles", [_row(0)]), id_column="article_id", suites_dir=SUITES, run_id="r"
        )
    source = _context().data_sources.get("newsflow-articles")
    assert source.assets == []
