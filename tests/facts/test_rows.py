"""Rows for the ``facts`` dataset and the article statuses, as the stage and a reprocess build them."""

from __future__ import annotations

from datetime import UTC, datetime

import pyarrow as pa

from newsflow.facts.output import FACT_COLUMNS
from newsflow.facts.rows import facts_for_articles


def test_rows_statuses_and_errors_per_article():
    articles = [
        {"article_id": "a1", "body": "Angela Quist said on Monday the city would spend $2.4 billion.",
         "published": datetime(2026, 3, 19, 9, tzinfo=UTC), "language": "en"},
        {"article_id": "a2", "body": "Die Stadt gibt 2,4 Milliarden Euro aus.", "published": None, "language": "de"},
        {"article_id": "a3", "body": None, "published": None, "language": "en"},
    ]  # fmt: skip
    out = facts_for_articles(articles)
    assert out.status == {"a1": "extracted", "a2": "skipped_language", "a3": "failed"}
    assert set(out.errors) == {"a3"} and "str" in out.errors["a3"]
    assert out.counts["status.extracted"] == 1 and out.counts["type.money"] == 2
    assert {r["article_id"] for r in out.rows} == {"a1", "a2"}
    ids = [r["fact_id"] for r in out.rows]
    assert len(ids) == len(set(ids))
    assert all(r["extractor_version"].startswith("en_core_web_sm") for r in out.rows)
    columns = {name for name, _ in FACT_COLUMNS} | {"article_id", "fact_id", "extractor_version", "version"}
    assert all(set(r) == columns for r in out.rows)
    schema = pa.schema(
        [(n, t) for n, t in FACT_COLUMNS]
        + [("article_id", pa.string()), ("fact_id", pa.string()), ("extractor_version", pa.string())]
    )
    table = pa.Table.from_pylist(out.rows, schema=schema)
    assert table.num_rows == len(out.rows)
    again = facts_for_articles(articles)
    assert [r["fact_id"] for r in again.rows] == ids  # stable across runs: reprocessing replaces, never duplicates
