"""The logic of the facts stage: the facts of every published original, as ``storage.FACTS`` rows.

Every article leaves with a ``facts_status``: ``extracted``, ``skipped_language`` (no extractor for
its language), ``duplicate`` (it shares its original's facts) or ``failed``. An article the model
cannot process is published without facts, marked ``failed``, and its failure is quarantined
(dataset ``facts``) with the error; the rest of the hour goes on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from newsflow.dedup.hashing import stable_id
from newsflow.facts.core import Fact, extract_facts_many, extractor_version
from newsflow.runs import StageRecorder
from newsflow.validate.quarantine import stage_failure

Row = dict[str, Any]


@dataclass
class ArticleFacts:
    articles: list[Row] = field(default_factory=list)  # the input rows with ``facts_status`` set
    facts: list[Row] = field(default_factory=list)  # ``storage.FACTS`` rows
    quarantine: list[Row] = field(default_factory=list)  # articles whose facts failed


def _facts_isolated(items: list[tuple[str, date | None]]) -> list[list[Fact] | BaseException]:
    """Facts of every text, batched; if the batch raises, text by text so one bad text fails alone."""
    try:
        return list(extract_facts_many(items))
    except Exception:  # noqa: BLE001 - fall back to one text at a time to find the one that breaks
        results: list[list[Fact] | BaseException] = []
        for item in items:
            try:
                results.append(extract_facts_many([item])[0])
            except Exception as exc:  # noqa: BLE001
                results.append(exc)
        return results


def fact_rows(articles: Sequence[Row], run_id: str, rec: StageRecorder) -> ArticleFacts:
    """Facts of every English original; duplicates share their original's facts."""
    out = ArticleFacts(articles=[dict(a) for a in articles])
    english: list[Row] = []
    for article in out.articles:
        if article["duplicate_of"] is not None:
            article["facts_status"] = "duplicate"
        elif (article["language"] or "en") != "en":
            article["facts_status"] = "skipped_language"
            rec.count("skipped_language")
        else:
            english.append(article)
    if english:
        version = extractor_version()
        results = _facts_isolated([(a["body"], a["published"].date() if a["published"] else None) for a in english])
        for article, found in zip(english, results, strict=True):
            if isinstance(found, BaseException):
                article["facts_status"] = "failed"
                rec.record(url=article.get("url"), error_class="facts_failed", error=f"{type(found).__name__}: {found}")
                out.quarantine.append(stage_failure("facts", article["article_id"], article, "facts", found, run_id))
                continue
            article["facts_status"] = "extracted"
            for fact in found:
                rec.count(f"type.{fact.fact_type}")
                out.facts.append(
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
    rec.count("facts", len(out.facts))
    return out
