"""Where the dates are in a parsed article, and which "dates" are really durations, ages or frequencies.

The model's DATE entities are the main source; rules add the explicit forms it misses (month
names, weekdays, "first-quarter", decades). Each expression is resolved by :mod:`dates` with the
tense of the clause it sits in; what cannot be placed on the calendar is dropped rather than
stored with empty dates, and what is a duration ("38 months", "52-year-old") is handed back as a
quantity.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

from newsflow.facts.dates import _MONTH_RE, _QUAL, _WEEKDAY_RE, Duration, clean_expression, duration_of, resolve
from newsflow.facts.doc import ArticleDoc
from newsflow.facts.numbers import render_number
from newsflow.facts.types import Fact

_RULE_PATTERNS = [
    rf"\b{_MONTH_RE}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}\b",
    rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH_RE}\s+\d{{4}}\b",
    rf"\b{_MONTH_RE}\s+\d{{4}}\b",
    rf"\b(?:(?:early|mid|late)[- ])?{_MONTH_RE}\s+\d{{1,2}}(?:st|nd|rd|th)?\b",
    rf"\b(?:(?:last|next|this)\s+)?{_WEEKDAY_RE}\b",
    r"\b(?:first|second|third|fourth)[- ]quarter\b",
    r"\bQ[1-4](?:\s+\d{4})?\b",
    r"\b(?:the\s+)?(?:19|20)\d0s\b",
    r"\b(?:last|next|this)\s+(?:week|month|year|weekend)\b",
    r"\b(?:yesterday|today|tomorrow|tonight)\b",
    rf"\b(?:(?:early|mid|late)[- ]|(?:last|next|this)\s+)?{_MONTH_RE}(?:\s+(?:last|next|this)\s+year)?\b",
    r"\b(?:in|since|by|until|from|during|before|after|of|through)\s+(?:early\s+|late\s+|mid-)?(?:1[89]\d\d|20\d\d)\b(?!\s*(?:-|–)\s*\d)",
]
_RULE_RE = re.compile("|".join(f"(?:{p})" for p in _RULE_PATTERNS), re.IGNORECASE)
_FREQUENCY_FIND = re.compile(
    r"\b(?:once|twice|thrice|(?:\d+|two|three|four|five|six|seven|eight|nine|ten|a dozen) times)\s+"
    r"(?:a|an|per|every|each)\s+(?:day|week|month|year|quarter|season)\b",
    re.IGNORECASE,
)
_LEADING_PREP = re.compile(r"^(?:in|since|by|until|from|during|before|after|of|through)\s+", re.IGNORECASE)


def _overlaps(spans: Sequence[tuple[int, int]], start: int, end: int) -> bool:
    return any(a < end and start < b for a, b in spans)


def _trim_span(text: str, start: int, end: int) -> tuple[int, int]:
    span = text[start:end]
    m = re.search(r"(?:['’]s|['’])$", span)
    if m and len(span) > len(m.group(0)) + 2:
        end -= len(m.group(0))
    while end > start and text[end - 1] in " ,.;:":
        end -= 1
    while start < end and text[start] in " ,;:":
        start += 1
    return start, end


def _qualifier(expression: str) -> str | None:
    m = _QUAL.match(clean_expression(expression))
    if not m:
        return None
    word = m.group(1)
    return {"middle": "mid", "beginning": "start", "close": "end"}.get(word, word)


def _modified_noun(adoc: ArticleDoc, end: int) -> str | None:
    """The noun a hyphenated duration or age modifies: "two-year gilts", "38-month sentence"."""
    tokens = adoc.tokens_in(end + 1, end + 2)
    if not tokens or adoc.text[end : end + 1] != " ":
        return None
    last = adoc.tokens_in(end - 1, end)
    if not last or not re.search(r"-\w+$", adoc.text[max(0, end - 12) : end]):
        return None
    head = last[-1].head
    nxt = tokens[0]
    if nxt.tag_ in ("NN", "NNS") and (head.i == nxt.i or nxt.i > last[-1].i):
        noun = head if head.tag_ in ("NN", "NNS") and head.i >= nxt.i else nxt
        return noun.text
    return None


def _generic_weekday(text: str, start: int) -> bool:
    return bool(re.search(r"\b(?:a|every|each|any)\s+$", text[max(0, start - 8) : start], re.IGNORECASE))


def _date_fact(adoc: ArticleDoc, start: int, end: int, published: date | None, extractor: str) -> Fact | None:
    text = adoc.text
    expression = text[start:end]
    if re.fullmatch(_WEEKDAY_RE + r"s?", expression, re.IGNORECASE) and _generic_weekday(text, start):
        return None  # "on a Sunday": any Sunday
    value = resolve(expression, published, adoc.tense_at(start), text[end : end + 30])
    if value is None:
        return None
    return Fact(
        "date", "DATE", expression, start, end, adoc.sentence_text(start, end), value=value.render(),
        resolution=value.resolution, date_start=value.start, date_end=value.end, qualifier=_qualifier(expression),
        extractor=extractor,
    )  # fmt: skip


def duration_fact(
    adoc: ArticleDoc, start: int, end: int, found: Duration, extractor: str, obj: str | None = None
) -> Fact:
    value = None
    if found.value is not None:
        value = render_number(found.value) + ("" if found.value_max is None else "–" + render_number(found.value_max))
        value = f"{value} {found.unit}"
    return Fact(
        "quantity", found.label, adoc.text[start:end], start, end, adoc.sentence_text(start, end), value=value,
        value_num=found.value, value_max=found.value_max, unit=found.unit, qualifier=found.qualifier,
        object=obj, extractor=extractor,
    )  # fmt: skip


def find_dates(
    adoc: ArticleDoc, published: date | None, taken: Sequence[tuple[int, int]]
) -> tuple[list[Fact], list[Fact]]:
    """(date facts, duration/age/frequency quantity facts) of a parsed article."""
    text = adoc.text
    dates: list[Fact] = []
    durations: list[Fact] = []
    used: list[tuple[int, int]] = list(taken)
    for ent in adoc.doc.ents:
        if ent.label_ not in ("DATE", "TIME"):
            continue
        start, end = _trim_span(text, ent.start_char, ent.end_char)
        if end <= start or _overlaps(taken, start, end):
            continue
        expression = text[start:end]
        found = duration_of(expression)
        if found is not None:
            if found.value is not None:
                durations.append(duration_fact(adoc, start, end, found, "spacy+rules", _modified_noun(adoc, end)))
            used.append((start, end))
            continue
        if ent.label_ == "TIME" and not re.search(_WEEKDAY_RE + r"|today|tonight|yesterday|tomorrow", expression, re.I):
            continue
        fact = _date_fact(adoc, start, end, published, "spacy+rules")
        if fact is None and ent.label_ == "TIME":
            inner = re.search(_WEEKDAY_RE, expression, re.IGNORECASE)
            if inner:
                fact = _date_fact(adoc, start + inner.start(), start + inner.end(), published, "spacy+rules")
        if fact is not None:
            dates.append(fact)
            used.append((fact.start, fact.end))
    for m in _FREQUENCY_FIND.finditer(text):
        if _overlaps(used, m.start(), m.end()):
            continue
        found = duration_of(m.group(0))
        if found is not None and found.value is not None:
            durations.append(duration_fact(adoc, m.start(), m.end(), found, "rules"))
            used.append((m.start(), m.end()))
    for m in _RULE_RE.finditer(text):
        start, end = m.start(), m.end()
        lead = _LEADING_PREP.match(m.group(0))
        if lead:
            start += lead.end()
        if _overlaps(used, start, end):
            continue
        expression = text[start:end]
        if re.fullmatch(r"may", expression, re.IGNORECASE) and (expression == "may" or _sentence_initial(text, start)):
            continue  # the modal verb
        if expression.islower() and re.fullmatch(_MONTH_RE, expression, re.IGNORECASE):
            continue  # "march", "may" as words
        fact = _date_fact(adoc, start, end, published, "rules")
        if fact is not None:
            dates.append(fact)
            used.append((start, end))
    dates.sort(key=lambda f: f.start)
    return dates, durations


def _sentence_initial(text: str, start: int) -> bool:
    before = text[max(0, start - 3) : start]
    return start == 0 or bool(re.search(r"(?:[.!?:]\s+|\n\s*|[“\"‘]\s*)$", before))
