import pytest

from newsflow.facts.numbers import parse_number, qualifier_of


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("$2.4 billion", 2.4e9),
        ("€350 million", 3.5e8),
        ("£12m", 1.2e7),
        ("1,200 households", 1200),
        ("3.2%", 3.2),
        ("three dozen", 36),
        ("twenty", 20),
        ("1.5 million yen", 1.5e6),
        ("dozens", None),
    ],
)
def test_parse_number(text, value):
    assert parse_number(text) == value


@pytest.mark.parametrize(
    ("text", "qualifier"),
    [
        ("as many as 20", "at_most"),
        ("approximately 20", "approximately"),
        ("roughly 130 miles", "approximately"),
        ("more than 300", "at_least"),
        ("dozens", "dozens"),
        ("20", None),
    ],
)
def test_qualifier(text, qualifier):
    assert qualifier_of(text) == qualifier
