"""Articles in, ``facts`` dataset rows and per-article statuses out: what the stage and a reprocess run call.

One function so the hourly stage, a reprocess over stored articles and tests share exactly the
same row building: fact ids, extractor version, the typed columns of :data:`output.FACT_COLUMNS`,
and the article-level ``facts_status`` (with the error of a failed article for the run record).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from newsflow.dedup.hashing import stable_id
from newsflow.facts.core import extract_facts_many
from newsflow.facts.model import extractor_version
from newsflow.facts.output import fact_row
from newsflow.facts.settings import FactsSettings
from newsflow.facts.types import FAILED


@dataclass
class ArticleFacts:
    rows: list[dict[str, Any]] = field(default_factory=list)  # facts rows, without run_id / schema_version
    status: dict[str, str] = field(default_factory=dict)  # article_id → facts_status
    errors: dict[str, str] = field(default_factory=dict)  # article_id → error, for failed articles
    counts: Counter = field(default_factory=Counter)  # "status.<s>" and "type.<fact_type>" counts for the run record


def facts_for_articles(articles: Iterable[Mapping[str, Any]], settings: FactsSettings | None = None) -> ArticleFacts:
    """Facts of articles given as rows with ``article_id``, ``body``, ``published`` and ``language``.

    ``published`` may be a datetime, date, ISO string or None; ``language`` None means English.
    Never raises for one bad article: it is ``failed`` with its error, the others go on.
    """
    articles = list(articles)
    results = extract_facts_many(((a.get("body"), a.get("published"), a.get("language")) for a in articles), settings)
    out = ArticleFacts()
    version = extractor_version() if any(r.facts for r in results) else None
    for article, result in zip(articles, results, strict=True):
        article_id = str(article["article_id"])
        article_version = int(article.get("version") or 1)
        # A later version's facts get ids of their own; version 1 keeps the ids it always had.
        id_parts = (article_id,) if article_version == 1 else (article_id, f"v{article_version}")
        out.status[article_id] = result.status
        out.counts[f"status.{result.status}"] += 1
        if result.status == FAILED:
            out.errors[article_id] = result.error or "failed"
        for fact in result.facts:
            out.counts[f"type.{fact.fact_type}"] += 1
            out.rows.append(
                {
                    "article_id": article_id,
                    "fact_id": stable_id(*id_parts, fact.fact_type, str(fact.start), str(fact.end)),
                    **fact_row(fact),
                    "extractor_version": version,
                    "version": article_version,
                }
            )
    return out
