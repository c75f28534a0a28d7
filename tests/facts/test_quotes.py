"""Quotations: every attribution form, straight and curly, double and single marks, quotes over
paragraphs, speakers resolved to the fullest name; names, titles and scare quotes are not quotes."""

from __future__ import annotations

import re

import pytest

from newsflow.facts.quotes import find_quote_spans
from tests.facts._helpers import facts


def _quotes(text: str) -> list[tuple[str, str | None, str | None]]:
    return [(f.text, f.speaker, f.speech_verb) for f in facts(text, kind="quote")]


def _speaker(text: str) -> str | None:
    found = _quotes(text)
    assert len(found) == 1, found
    return found[0][1]


@pytest.mark.parametrize(
    ("text", "speaker"),
    [
        ("“We will rebuild every home,” the report said.", "the report"),
        ("“We will rebuild every home,” said Maria Lopez, the mayor.", "Maria Lopez"),
        ("The mayor, Maria Lopez, said: “We will rebuild every home.”", "Maria Lopez"),
        ("Maria Lopez said that “every home will be rebuilt by the spring”.", "Maria Lopez"),
        ("“Every home will be rebuilt,” according to Maria Lopez, the mayor.", "Maria Lopez"),
        ("According to the mayor, Maria Lopez, “every home will be rebuilt.”", "Maria Lopez"),
        ("Council President Andrea Whitcomb said the plan was “a generational investment”.", "Andrea Whitcomb"),
        ('"We will rebuild every home," Lopez said.', "Lopez"),
        ("‘We will rebuild every home,’ the chancellor told MPs.", "the chancellor"),
        ("A spokeswoman for the lender said it expected “a very busy few weeks”.", "a spokeswoman for the lender"),
    ],
)
def test_attribution_forms(text, speaker):
    assert _speaker(text).lower() == speaker.lower()


def test_speaker_is_the_fullest_mention_and_pronouns_resolve():
    text = (
        "Maria Lopez, the mayor of Lakeport, visited the site on Friday. "
        "“We will rebuild every home,” Lopez said. “Nobody will be left behind,” she added."
    )
    assert [s for _, s, _ in _quotes(text)] == ["Maria Lopez", "Maria Lopez"]


def test_speaker_named_in_the_previous_sentence():
    text = "Firefighter Jorge Mamani spent nine hours digging. “We could hear a child calling. We did not stop.”"
    assert _quotes(text)[0][1] == "Jorge Mamani"


def test_the_company_is_the_organisation_named_before():
    text = (
        "Regulators fined Trivela, the Dutch payments company, on Tuesday. "
        "“We strongly disagree with the findings,” the company said in a statement."
    )
    assert _speaker(text) == "Trivela"


def test_quote_over_paragraphs_is_one_quotation():
    text = (
        "Justice Raymond Cole wrote: “The majority tells the people of Montana that they may not protect "
        "their own rivers.\n\n“The reasoning will invite a flood of litigation.”\n\nThe court adjourned."
    )
    found = facts(text, kind="quote")
    assert len(found) == 1
    assert found[0].speaker == "Raymond Cole" and "\n\n“The reasoning" in found[0].text
    assert found[0].value.endswith("flood of litigation.") and "\n" not in found[0].value


@pytest.mark.parametrize(
    "text",
    [
        "The report said one particular base, known as “Sino-ri,” houses missiles.",
        "Officials began their first “working level” talks, which US officials say will continue.",
        "The so-called “Blue Line” will run east.",
        "His memoir, “A Country of Laws”, was published in 2019.",
        "Critics have dubbed the plan the “half-billion handout”.",
        "The film “Northern Lights” took $96 million over the weekend.",
        "What glaciologists call “peak water” will arrive in the 2040s.",
    ],
)
def test_names_titles_and_scare_quotes_are_not_quotations(text):
    assert _quotes(text) == []


def test_odd_number_of_marks_never_costs_the_article():
    text = (
        "“The first quote is closed,” Ana Pedrosa said.\n\n"
        "“This one never closes and the paragraph ends\n\n"
        "Another paragraph with a “working level” scare quote and a stray ” mark. "
        "“A final quote,” Pedrosa added."
    )
    found = _quotes(text)
    assert len([s for _, s, _ in found if (s or "").endswith("Pedrosa")]) >= 3
    assert any(t.startswith("This one never closes") for t, _, _ in found)
    spans = find_quote_spans(text)
    assert all(text[s.start : s.end].strip() == text[s.start : s.end] for s in spans)


def test_apostrophes_do_not_open_or_close_single_quotes():
    text = "‘Mr O’Neill’s client won’t appeal,’ the lawyer said. The workers’ union agreed."
    assert _quotes(text)[0][0] == "Mr O’Neill’s client won’t appeal"


def test_quote_fact_fields():
    fact = facts("“We will rebuild,” said Maria Lopez.", kind="quote")[0]
    assert (fact.label, fact.speech_verb, fact.extractor) == ("QUOTE", "said", "rules")
    assert fact.currency is None and fact.value_num is None and fact.date_start is None
    assert re.fullmatch(r"We will rebuild", fact.text)
