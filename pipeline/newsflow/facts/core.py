"""Turn spaCy's analysis of a text into typed :class:`Fact` records."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from datetime import date

from newsflow.facts.dates import resolve_date
from newsflow.facts.model import load_model, model_version
from newsflow.facts.numbers import parse_number, qualifier_of

ENTITY_LABELS = {"PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT", "PRODUCT", "LAW", "WORK_OF_ART"}
CURRENCIES = [
    (r"us\$|\$|\bdollars?\b|\busd\b", "USD"),
    (r"€|\beuros?\b|\beur\b", "EUR"),
    (r"£|\bpounds?\b|\bgbp\b", "GBP"),
    (r"¥|\byen\b|\bjpy\b", "JPY"),
    (r"\byuan\b|\brenminbi\b|\bcny\b", "CNY"),
    (r"\brupees?\b|₹|\binr\b", "INR"),
    (r"\bfrancs?\b|\bchf\b", "CHF"),
    (r"\bwon\b|₩", "KRW"),
]
UNITS = {
    "mile": "mile",
    "miles": "mile",
    "km": "km",
    "kilometres": "km",
    "kilometers": "km",
    "kilometre": "km",
    "kilometer": "km",
    "metres": "m",
    "meters": "m",
    "feet": "foot",
    "foot": "foot",
    "tons": "ton",
    "tonnes": "tonne",
    "acres": "acre",
    "hectares": "hectare",
    "pounds": "lb",
    "kg": "kg",
    "kilograms": "kg",
    "gallons": "gallon",
    "litres": "litre",
    "liters": "litre",
    "barrels": "barrel",
    "megawatts": "MW",
    "gigawatts": "GW",
    "degrees": "degree",
    "inches": "inch",
    "years": "year",
    "hours": "hour",
    "days": "day",
}
_LEADING = re.compile(r"^(the|a|an)\s+", re.IGNORECASE)
_POSSESSIVE = re.compile(r"(['’]s|['’])$")


@dataclass
class Fact:
    fact_type: str
    label: str
    text: str
    start: int
    end: int
    sentence: str
    value: str | None = None
    value_num: float | None = None
    unit: str | None = None
    qualifier: str | None = None
    resolution: str | None = None
    speaker: str | None = None
    extractor: str = "spacy"

    def as_dict(self) -> dict:
        return asdict(self)


def _trim(text: str, start: int, end: int, article: bool = True) -> tuple[int, int]:
    """Drop a leading article and a trailing possessive so the span is the name itself."""
    span = text[start:end]
    lead = _LEADING.match(span)
    if article and lead and len(span) > lead.end():
        start += lead.end()
    tail = _POSSESSIVE.search(text[start:end])
    if tail and end - start > len(tail.group(0)) + 1:
        end -= len(tail.group(0))
    return start, end


def _currency(text: str) -> str | None:
    lowered = text.lower()
    return next((code for pattern, code in CURRENCIES if re.search(pattern, lowered)), None)


def _numeric_fact(ent, sentence: str) -> Fact | None:
    """Money, percentages and counted quantities share one shape: a number, a unit, a qualifier."""
    num = parse_number(ent.text)
    qualifier = qualifier_of(ent.text)
    if ent.label_ == "MONEY":
        fact_type, unit = "money", _currency(ent.text)
    elif ent.label_ == "PERCENT":
        fact_type, unit = "percent", "percent"
    else:
        if num is None and qualifier is None:
            return None  # "one of", "the second": no count to record
        words = re.findall(r"[a-z]+", ent.text.lower())
        fact_type, unit = "quantity", next((UNITS[w] for w in words if w in UNITS), None)
    return Fact(
        fact_type,
        ent.label_,
        ent.text,
        ent.start_char,
        ent.end_char,
        sentence,
        value=None if num is None else f"{num:g}",
        value_num=num,
        unit=unit,
        qualifier=qualifier,
    )


def _facts_from_doc(doc, published: date | None) -> Iterator[Fact]:
    text = doc.text
    for ent in doc.ents:
        label = ent.label_
        sentence = ent.sent.text.strip() if doc.has_annotation("SENT_START") else ""
        if label in ENTITY_LABELS:
            start, end = _trim(text, ent.start_char, ent.end_char)
            yield Fact("entity", label, text[start:end], start, end, sentence, value=text[start:end])
        elif label in ("MONEY", "PERCENT", "CARDINAL", "QUANTITY"):
            fact = _numeric_fact(ent, sentence)
            if fact is not None:
                yield fact
        elif label == "DATE":
            value, resolution = resolve_date(ent.text, published)
            start, end = _trim(text, ent.start_char, ent.end_char, article=False)
            yield Fact(
                "date",
                label,
                text[start:end],
                start,
                end,
                sentence,
                value=value,
                resolution=resolution,
                extractor="spacy+rules",
            )


def extract_facts(text: str, published: date | None = None) -> list[Fact]:
    """Facts of one text; ``published`` anchors relative dates ("Monday", "last week")."""
    return extract_facts_many([(text, published)])[0]


def extract_facts_many(items: Iterable[tuple[str, date | None]], batch_size: int = 16) -> list[list[Fact]]:
    """Facts of many texts, batched through spaCy (several times faster than one by one)."""
    items = list(items)
    nlp = load_model()
    docs = nlp.pipe((t for t, _ in items), batch_size=batch_size)
    return [list(_facts_from_doc(doc, published)) for doc, (_, published) in zip(docs, items, strict=True)]


def extractor_version() -> str:
    return model_version()
