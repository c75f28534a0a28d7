"""The logic of the facts stage: the facts of every published original, as ``storage.FACTS`` rows.

Every article leaves with a ``facts_status``: ``extracted``, ``skipped_language`` (no model for its
language: only the language-independent money, percent and date rules ran), ``duplicate`` (it
shares its original's facts) or ``failed``. An article the model cannot process is published
without facts, marked ``failed``, and its failure is quarantined (dataset ``facts``) with the error;
the rest of the hour goes on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from newsflow.facts.rows import facts_for_articles
from newsflow.facts.settings import FactsSettings
from newsflow.runs import StageRecorder
from newsflow.validate.quarantine import quarantine_row

Row = dict[str, Any]


@dataclass
class ArticleFacts:
    articles: list[Row] = field(default_factory=list)  # the input rows with ``facts_status`` set
    facts: list[Row] = field(default_factory=list)  # ``storage.FACTS`` rows
    quarantine: list[Row] = field(default_factory=list)  # articles whose facts failed


def fact_rows(articles: Sequence[Row], run_id: str, rec: StageRecorder) -> ArticleFacts:
    """Facts of every original; duplicates share their original's facts."""
    out = ArticleFacts(articles=[dict(a) for a in articles])
    originals = [a for a in out.articles if a["duplicate_of"] is None]
    for article in out.articles:
        if article["duplicate_of"] is not None:
            article["facts_status"] = "duplicate"
    found = facts_for_articles(originals, FactsSettings.from_env())
    for key, n in sorted(found.counts.items()):
        rec.count(key, n)
    for article in originals:
        article["facts_status"] = found.status[article["article_id"]]
        error = found.errors.get(article["article_id"])
        if error is not None:
            rec.record(url=article.get("url"), error_class="facts_failed", error=error)
            out.quarantine.append(
                quarantine_row(
                    "facts", article["article_id"], article, ["facts_failed"], run_id=run_id, stage="facts", error=error
                )
            )
    out.facts = [{**row, "run_id": run_id} for row in found.rows]
    rec.count("articles", len(originals))
    rec.count("facts", len(out.facts))
    return out
