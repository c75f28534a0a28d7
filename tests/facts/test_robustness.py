"""Random and hostile text never raises, and every fact's offsets slice the text it came from."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsflow.facts import EXTRACTED, SKIPPED_LANGUAGE, extract_facts_many
from newsflow.facts.dates import duration_of, resolve
from newsflow.facts.money import money_and_percent
from newsflow.facts.quotes import find_quote_spans

# Pieces the rules react to, so random text exercises them rather than plain noise.
FRAGMENTS = [
    "“", "”", "‘", "’", '"', "'", "$", "£", "€", "¥", "₹", "A$", "HK$", "US$", "EUR ", "per cent", "%", "percent",
    "percentage points", "basis points", " to ", "-", "–", " and ", "between ", "million", "bn", "m", "cents",
    "pence", "p", " a share", " a barrel", " per dollar", " per ", "the pound", " yen", " rupee", "Monday",
    "last week", "next month", "the end of", "February", "May", "2019", "1950-53", "the 1970s", "Q3", "ago",
    "years", "-year-old", "38-month", ", 52,", "said", " told ", "according to", " he said", "Mr.", "President ",
    "North and South Korea", "U.S.", "Corvane Systems", "Corvane", "ESA", "known as ", "so-called ", "\n\n", "\n",
    ".", ",", " ", "1", "20", "2.5", "1,200", "0", "twice a week", "dozens of", "as many as", "minus ", "magnitude ",
    "\u00a0", "\u200b", "é", "ß", "ا", "中", "🙂", "\x00", "\ufffd",
]  # fmt: skip
article_text = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=8)), min_size=0, max_size=60).map(
    "".join
)
published = st.one_of(st.none(), st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)))
language = st.sampled_from([None, "en", "de", "es", "fr", "xx", "en-GB", ""])


def _check(text: str, result) -> None:
    assert result.status in (EXTRACTED, SKIPPED_LANGUAGE), result.error
    for fact in result.facts:
        assert 0 <= fact.start <= fact.end <= len(text)
        assert text[fact.start : fact.end] == fact.text, fact
        if fact.date_start is not None:
            assert fact.date_start <= fact.date_end and fact.resolution


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts=st.lists(st.tuples(article_text, published, language), min_size=1, max_size=4))
def test_random_articles_never_raise_and_offsets_slice(texts):
    results = extract_facts_many(texts)
    assert len(results) == len(texts)
    for (text, _, _), result in zip(texts, results, strict=True):
        _check(text, result)


@settings(max_examples=200, deadline=None)
@given(text=article_text, anchor=published)
def test_rule_functions_never_raise(text, anchor):
    for span in find_quote_spans(text):
        assert 0 <= span.open < span.start <= span.end <= len(text)
    for found in money_and_percent(text, [(0, len(text))]):
        assert 0 <= found.start < found.end <= len(text)
    value = resolve(text, anchor)
    assert value is None or value.start <= value.end
    duration_of(text)


HOSTILE = [
    "",
    " ",
    "\n\n\n",
    "“" * 500,
    "”" * 500,
    '"' * 301,
    "‘’" * 200,
    "“Unclosed quote at the very end",
    "$" * 200 + "1" * 200,
    "1" * 5000,
    "9" * 400 + " per cent",
    "£" + "9" * 400 + "bn",
    "–" * 1000,
    "🙂" * 300,
    "\u200b\u200b\u200b",
    "\x00\x01\x02 text with control characters \x7f",
    "مرحبا بالعالم " * 50,
    "a" * 20000,
    ("The report said “" + "nested ‘quotes’ and more " * 50 + "\n\n") * 5,
    "Monday Tuesday Wednesday " * 200,
    "North and South and East and West Korea and " * 30,
    "between $ and $ to £ per per cent %%%% 1.2.3.4.5 bn bn m",
    "In 0000, 9999-99-99, February 30, 2019 and 31/02/2020 and the 0s and Q9 2020.",
]


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
@pytest.mark.parametrize("lang", [None, "de"])
def test_hostile_texts(text, lang):
    result = extract_facts_many([(text, date(2026, 3, 19), lang)])[0]
    _check(text, result)
