"""The logic of the facts stage: the facts of every published original, as ``storage.FACTS`` rows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from newsflow.dedup.hashing import stable_id
from newsflow.facts.core import extract_facts_many, extractor_version
from newsflow.runs import StageRecorder

Row = dict[str, Any]


def fact_rows(articles: Sequence[Row], run_id: str, rec: StageRecorder) -> list[Row]:
    """Facts of every English original; duplicates share their original's facts."""
    originals = [a for a in articles if a["duplicate_of"] is None]
    english = [a for a in originals if (a["language"] or "en") == "en"]
    rec.count("skipped_language", len(originals) - len(english))
    rows: list[Row] = []
    if english:
        version = extractor_version()
        results = extract_facts_many((a["body"], a["published"].date() if a["published"] else None) for a in english)
        for article, found in zip(english, results, strict=True):
            for fact in found:
                rec.count(f"type.{fact.fact_type}")
                rows.append(
                    {
                        **asdict(fact),
                        "article_id": article["article_id"],
                        "fact_id": stable_id(article["article_id"], fact.fact_type, str(fact.start), str(fact.end)),
                        "extractor_version": version,
                        "confidence": None,
                        "run_id": run_id,
                    }
                )
    rec.count("articles", len(english))
    rec.count("facts", len(rows))
    return rows
