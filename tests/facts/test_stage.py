"""The facts stage's logic on a few in-memory articles, with the real spaCy model."""

from datetime import UTC, datetime

from newsflow.facts.stage import fact_rows
from newsflow.runs import StageRecorder

PUBLISHED = datetime(2026, 11, 24, 9, tzinfo=UTC)


def _article(article_id: str, body: str, language: str = "en", duplicate_of: str | None = None) -> dict:
    return {
        "article_id": article_id,
        "body": body,
        "language": language,
        "published": PUBLISHED,
        "duplicate_of": duplicate_of,
    }


def test_facts_of_english_originals_only_with_ids_offsets_and_counts():
    body = "Acme Corp said on Monday it would hire 300 engineers in Denver, spending $12 million."
    rec = StageRecorder("run-1", PUBLISHED, "facts")
    rows = fact_rows(
        [
            _article("a", body),
            _article("b", body, duplicate_of="a"),
            _article("c", "Die Stadt Hamburg investiert 12 Millionen Euro.", language="de"),
        ],
        "run-1",
        rec,
    )
    assert rows and {r["article_id"] for r in rows} == {"a"}
    assert {r["fact_type"] for r in rows} >= {"entity", "date", "money", "quantity"}
    assert len({r["fact_id"] for r in rows}) == len(rows)
    for row in rows:
        assert body[row["start"] : row["end"]] == row["text"] and row["run_id"] == "run-1"
    monday = next(r for r in rows if r["fact_type"] == "date")
    assert monday["value"] == "2026-11-23"  # the Monday before the publish date
    assert rec.counts["articles"] == 1 and rec.counts["skipped_language"] == 1 and rec.counts["facts"] == len(rows)
