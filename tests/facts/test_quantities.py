"""Quantities: the counted object from the parse, qualifiers, units, ranges, and the numbers that
are not quantities (years, codes, scores); durations and ages are quantities, never dates."""

from __future__ import annotations

import pytest

from tests.facts._helpers import facts, one


@pytest.mark.parametrize(
    ("sentence", "contains", "value", "qualifier", "obj"),
    [
        ("The army has as many as 20 secretive, undeclared missile bases.", "20", 20, "at_most", "missile bases"),
        (
            "Researchers found approximately 20 undeclared missile operating bases.",
            "20",
            20,
            "approximately",
            "missile operating bases",
        ),
        ("Officials identified dozens of facilities near the border.", "dozens", None, "dozens", "facilities"),
        ("More than 2,300 firefighters were sent to the blaze.", "2,300", 2300, "at_least", "firefighters"),
        ("Nearly 9,000 residents left their homes.", "9,000", 9000, "approximately", "residents"),
        ("The company shipped 40,000 grid monitors last quarter.", "40,000", 40000, None, "grid monitors"),
        ("Three of the nine members voted for a cut.", "nine", 9, None, "members"),
        ("Hundreds of flights were cancelled on Friday.", "Hundreds", None, "hundreds", "flights"),
        ("The firm will hire a dozen engineers.", "dozen", 12, None, "engineers"),
    ],
)
def test_counts_with_their_objects(sentence, contains, value, qualifier, obj):
    fact = one(sentence, "quantity", contains)
    assert (fact.value_num, fact.qualifier, fact.object) == (value, qualifier, obj)
    assert fact.label == "CARDINAL"


@pytest.mark.parametrize(
    ("sentence", "contains", "value", "value_max", "unit"),
    [
        ("The base lies roughly 130 miles north of the border.", "130", 130, None, "mile"),
        ("The probe flew within 4.2 million kilometres of the Sun.", "4.2", 4.2e6, None, "km"),
        ("The fire burned more than 48,000 acres.", "48,000", 48000, None, "acre"),
        ("The ship was 15 to 17 metres long.", "15", 15, 17, "metre"),
        ("Temperatures will rise by between 2 and 3 degrees Celsius.", "2", 2, 3, "degree_celsius"),
        ("It hit 105 degrees Fahrenheit in the valley.", "105", 105, None, "degree_fahrenheit"),
        ("Gusts of up to 40 miles per hour hampered crews.", "40", 40, None, "mile per hour"),
        ("OPEC+ will add 137,000 barrels a day in November.", "137,000", 137000, None, "barrel per day"),
        ("Farmers stored 1.5 million tonnes of wheat.", "1.5", 1.5e6, None, "tonne"),
    ],
)
def test_measures_with_units_and_ranges(sentence, contains, value, value_max, unit):
    fact = one(sentence, "quantity", contains)
    assert (fact.value_num, fact.value_max, fact.unit, fact.label) == (value, value_max, unit, "QUANTITY")
    assert fact.text.startswith(contains) or contains in fact.text


def test_measure_object_comes_from_the_of_phrase():
    assert one("Farmers stored 1.5 million tonnes of wheat.", "quantity", "1.5").object == "wheat"


def test_negative_temperatures_and_magnitudes():
    fact = one("Temperatures fell to minus 4 degrees Celsius overnight.", "quantity", "4")
    assert fact.value_num == -4 and fact.text.startswith("minus")
    fact = one("A magnitude 6.8 earthquake struck central Peru.", "quantity", "6.8")
    assert (fact.unit, fact.value_num, fact.object) == ("magnitude", 6.8, "earthquake")


@pytest.mark.parametrize(
    ("sentence", "contains", "label", "value", "unit"),
    [
        ("He was sentenced to 38 months in prison.", "38", "DURATION", 38, "month"),
        ("He received a 38-month sentence.", "38", "DURATION", 38, "month"),
        ("A 52-year-old man was arrested.", "52", "AGE", 52, "year"),
        ("Victor Amsel, 52, pleaded guilty.", "52", "AGE", 52, "year"),
        ("The strike could last two weeks.", "two", "DURATION", 2, "week"),
        ("Crews searched for nine hours.", "nine", "DURATION", 9, "hour"),
        ("The vaccine is given to children aged 5 to 17 months.", "5", "DURATION", 5, "month"),
        ("She trains twice a week in Iten.", "twice", "FREQUENCY", 2, "per week"),
        ("When I was 12, I watched the race.", "12", "AGE", 12, "year"),
    ],
)
def test_durations_ages_and_frequencies_are_quantities_not_dates(sentence, contains, label, value, unit):
    quantities = [f for f in facts(sentence, kind="quantity") if contains in f.text]
    assert quantities, facts(sentence)
    fact = quantities[0]
    assert (fact.label, fact.value_num, fact.unit) == (label, value, unit)
    assert not [f for f in facts(sentence, kind="date") if contains in f.text]


def test_two_year_modifies_its_noun():
    assert one("The yield on two-year gilts fell.", "quantity", "two").object == "gilts"


@pytest.mark.parametrize(
    "sentence",
    [
        "The missile was first tested in 2017.",
        "Rovers won 3-2 after a 9-4 vote on the new stadium.",
        "The Nodong-1 and the KN-15 were shown on Route 9.",
        "It was the second summit and the 14th round.",
        "It was a Category 4 storm.",
        "One of the bases was closed.",
    ],
)
def test_numbers_that_name_rather_than_count_are_not_quantities(sentence):
    assert not facts(sentence, kind="quantity"), [(f.text, f.label) for f in facts(sentence, kind="quantity")]


def test_preposition_over_is_not_a_qualifier():
    assert one("She won with wins over three seeded players.", "quantity", "three").qualifier is None
    assert one("It drew over 300 residents.", "quantity", "300").qualifier == "at_least"
