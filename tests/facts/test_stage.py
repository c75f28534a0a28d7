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
    body = "Acme Corp said on Monday that it hired 300 engineers in Denver, spending $12 million."
    rec = StageRecorder("run-1", PUBLISHED, "facts")
    out = fact_rows(
        [
            _article("a", body),
            _article("b", body, duplicate_of="a"),
            _article("c", "Die Stadt Hamburg investiert 12 Millionen Euro.", language="de"),
        ],
        "run-1",
        rec,
    )
    rows = out.facts
    assert [a["facts_status"] for a in out.articles] == ["extracted", "duplicate", "skipped_language"]
    assert out.quarantine == []
    # The German article has no model, but its money comes from the language-independent rules.
    assert rows and {r["article_id"] for r in rows} == {"a", "c"}
    assert {r["fact_type"] for r in rows if r["article_id"] == "c"} == {"money"}
    rows = [r for r in rows if r["article_id"] == "a"]
    assert {r["fact_type"] for r in rows} >= {"entity", "date", "money", "quantity"}
    assert len({r["fact_id"] for r in rows}) == len(rows)
    for row in rows:
        assert body[row["start"] : row["end"]] == row["text"] and row["run_id"] == "run-1"
    monday = next(r for r in rows if r["fact_type"] == "date")
    assert monday["value"] == "2026-11-23"  # the Monday before the publish date
    assert rec.counts["articles"] == 2 and rec.counts["status.skipped_language"] == 1
    assert rec.counts["facts"] == len(out.facts)


def test_an_article_the_model_cannot_take_fails_alone_and_is_quarantined():
    """A body over spaCy's length limit raises in the model: that article is marked failed and its
    failure quarantined with the error; the other article still gets its facts."""
    from newsflow.facts.model import load_model

    too_long = "word " * (load_model().max_length // 5 + 10)
    rec = StageRecorder("run-1", PUBLISHED, "facts")
    out = fact_rows(
        [_article("big", too_long), _article("ok", "Acme Corp hired 300 engineers in Denver.")], "run-1", rec
    )
    assert [a["facts_status"] for a in out.articles] == ["failed", "extracted"]
    assert out.facts and {f["article_id"] for f in out.facts} == {"ok"}
    (failure,) = out.quarantine
    assert (
        failure["record_id"] == "big"
        and failure["stage"] == "facts"
        and failure["failed_expectations"] == ["facts_failed"]
    )
    assert failure["error"]
    assert rec.counts["error.facts_failed"] == 1
