"""Facts from article text: entities, money, percentages, quantities, resolved dates and quotations.

``extract_facts`` (one text) and ``extract_facts_many`` (many, with a per-article status) are the
entry points; each fact type has its own module of rules on top of the spaCy pipeline loaded by
:mod:`newsflow.facts.model`. Offsets (``start``/``end``) index the text exactly as given, so
analysts can slice the article body with them.
"""

from newsflow.facts.core import ArticleInput, FactsError, extract_facts, extract_facts_many
from newsflow.facts.model import extractor_version
from newsflow.facts.output import fact_json, fact_row
from newsflow.facts.settings import FactsSettings
from newsflow.facts.types import EXTRACTED, FAILED, SKIPPED_LANGUAGE, Fact, FactsResult

__all__ = [
    "EXTRACTED",
    "FAILED",
    "SKIPPED_LANGUAGE",
    "ArticleInput",
    "Fact",
    "FactsError",
    "FactsResult",
    "FactsSettings",
    "extract_facts",
    "extract_facts_many",
    "extractor_version",
    "fact_json",
    "fact_row",
]
