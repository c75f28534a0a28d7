"""The records the facts stage produces: one :class:`Fact` per finding, one :class:`FactsResult` per article.

Every typed field is ``None`` where it does not apply to the fact's type (a quote has no
``currency``, an entity no ``date_start``): analysts filter on nulls, so no placeholder values.
``start``/``end`` always index the text the extractor was given: ``text[start:end] == fact.text``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

FACT_TYPES = ("entity", "money", "percent", "quantity", "date", "quote")

# Article-level outcome of the facts stage (the ``facts_status`` column of ``articles``).
EXTRACTED = "extracted"  # full extraction: the language has a model (English)
SKIPPED_LANGUAGE = "skipped_language"  # no model for the language: only language-independent rules ran
FAILED = "failed"  # the article could not be processed; ``error`` says why
STATUSES = (EXTRACTED, SKIPPED_LANGUAGE, FAILED)


@dataclass
class Fact:
    """One fact found in an article.

    The first fields keep the order the stage has always written; the typed fields after
    ``extractor`` were added for analysts who total, group and filter facts.
    """

    fact_type: str
    label: str
    text: str
    start: int
    end: int
    sentence: str
    value: str | None = None  # a text rendering of the normalised value (ISO date, "3000000 USD", name)
    value_num: float | None = None  # money in major units, percent as written (4.3), counts and measures
    unit: str | None = None  # "percent", "percentage_point", "mile", "per barrel", "per USD" …
    qualifier: str | None = None  # "approximately", "at_least", "at_most", "less_than", "dozens" …
    resolution: str | None = None  # dates: "day", "week", "month", "quarter", "year"
    speaker: str | None = None  # quotes: the fullest mention of who said it
    extractor: str = "spacy"
    value_max: float | None = None  # upper bound of a range ("$2.10 to $2.60" → 2.6)
    currency: str | None = None  # ISO 4217 code of money
    object: str | None = None  # quantities: what is counted or measured ("missile bases")
    date_start: date | None = None
    date_end: date | None = None
    canonical: str | None = None  # entities: the article's fullest mention ("Stephen Biegun" for "Biegun")
    norm_key: str | None = None  # entities: article-independent key ("united states" for "U.S.")
    confidence: float | None = None  # only where an extractor provides one
    speech_verb: str | None = None  # quotes: the verb or cue that attributes it ("said", "according to")


@dataclass
class FactsResult:
    """What the facts stage made of one article: a status, its facts, and the error if it failed.

    Iterating a result iterates its facts, so code written for the old ``list[Fact]`` results
    keeps working while it moves to the status.
    """

    status: str
    facts: list[Fact] = field(default_factory=list)
    error: str | None = None
    language: str | None = None

    def __iter__(self) -> Iterator[Fact]:
        return iter(self.facts)

    def __len__(self) -> int:
        return len(self.facts)
