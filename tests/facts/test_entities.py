"""Entities: trimming, rules for what the small model lacks, the article-level consistency pass,
short mentions resolved to the full name, and the article-independent grouping key."""

from __future__ import annotations

import pytest

from newsflow.facts.aliases import norm_key
from tests.facts._helpers import facts


def _entities(text: str) -> list[tuple[str, str, str]]:
    return [(f.text, f.label, f.canonical) for f in facts(text, kind="entity")]


@pytest.mark.parametrize(
    ("mention", "key"),
    [
        ("U.S.", "united states"),
        ("US", "united states"),
        ("USA", "united states"),
        ("United States", "united states"),
        ("the United States of America", "united states"),
        ("U.K.", "united kingdom"),
        ("Britain", "united kingdom"),
        ("EU", "european union"),
        ("the Fed", "federal reserve"),
        ("Tamás Horváth", "tamas horvath"),
        ("Kim Jong-un", "kim jong un"),
        ("PG&E", "pg and e"),
    ],
)
def test_norm_key_groups_aliases(mention, key):
    assert norm_key(mention) == key


def test_short_mentions_resolve_to_the_fullest_name():
    text = (
        "Special Envoy for North Korea Stephen Biegun met officials in Stockholm. "
        "Biegun said later that talks would continue. Corvane Systems reported results on Monday. "
        "Corvane said its sales rose. The European Space Agency launched a probe, and ESA said it was healthy."
    )
    found = {(t, lb, c) for t, lb, c in _entities(text)}
    assert ("Stephen Biegun", "PERSON", "Stephen Biegun") in found
    assert ("Biegun", "PERSON", "Stephen Biegun") in found
    assert ("Corvane", "ORG", "Corvane Systems") in found
    assert ("ESA", "ORG", "European Space Agency") in found


def test_titles_articles_and_possessives_are_not_part_of_the_name():
    text = "President Helena Vasconcelos met Mr. Trump and the Bank of England’s governor in the United States."
    names = {t for t, _, _ in _entities(text)}
    assert {"Helena Vasconcelos", "Trump", "Bank of England", "United States"} <= names
    assert not {n for n in names if n.startswith(("President", "Mr", "the "))}


def test_north_and_south_is_two_places():
    found = _entities("Trade between North and South Korea collapsed.")
    assert ("North", "GPE", "North Korea") in found and ("South Korea", "GPE", "South Korea") in found


def test_consistency_pass_fixes_a_place_the_model_calls_a_person():
    text = (
        "Rovers travel to Norwich on Tuesday. Fans in Norwich expect a full stadium, "
        "and the city of Norwich has closed two roads."
    )
    labels = {lb for t, lb, _ in _entities(text) if t == "Norwich"}
    assert labels == {"GPE"}


def test_a_company_described_as_one_is_an_organisation():
    text = "The Commission fined Trivela, the Dutch payments company, on Tuesday. Trivela said it would appeal."
    labels = {lb for t, lb, _ in _entities(text) if t == "Trivela"}
    assert labels == {"ORG"}


def test_known_as_alias_and_acronym_resolve_to_the_organisation():
    text = (
        "Isabel Navarro, a spokeswoman for the California Department of Forestry and Fire Protection, "
        "known as Cal Fire, spoke on Friday. Cal Fire said costs had reached $21 million. "
        "Pacific Gas and Electric cut power, and PG&E shares fell."
    )
    found = {(t, c) for t, lb, c in _entities(text) if lb == "ORG"}
    assert ("Cal Fire", "California Department of Forestry and Fire Protection") in found
    assert ("PG&E", "Pacific Gas and Electric") in found


def test_weekdays_and_units_are_never_entities():
    names = {
        t for t, _, _ in _entities("On Tuesday, the national weather agency AEMET said it was 28 degrees Celsius.")
    }
    assert not names & {"Tuesday", "Celsius"}


def test_entities_carry_key_and_value():
    fact = next(f for f in facts("U.S. officials met in Washington.", kind="entity") if f.text == "U.S.")
    assert (fact.label, fact.norm_key, fact.value, fact.canonical) == ("GPE", "united states", "U.S.", "U.S.")
    assert fact.currency is None and fact.date_start is None and fact.value_num is None
