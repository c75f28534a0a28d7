"""Money and percentages: currency inside the span, ISO codes, minor units, magnitudes, ranges,
prices per unit, exchange rates, percentage points — each on a one-line example through the
real pipeline."""

from __future__ import annotations

import pytest

from tests.facts._helpers import facts, one


@pytest.mark.parametrize(
    ("sentence", "span", "value", "currency"),
    [
        ("The council approved a $2.4 billion transit plan.", "$2.4 billion", 2.4e9, "USD"),
        ("Paris will pay €350 million for the line.", "€350 million", 3.5e8, "EUR"),
        ("The club paid £12m for the striker.", "£12m", 1.2e7, "GBP"),
        ("Profit rose to 1.2bn euros last year.", "1.2bn euros", 1.2e9, "EUR"),
        ("The film took ¥1.9 billion in Japan.", "¥1.9 billion", 1.9e9, "JPY"),
        ("It was sold for A$8.6 billion in cash.", "A$8.6 billion", 8.6e9, "AUD"),
        ("The unit went for C$1.1 billion.", "C$1.1 billion", 1.1e9, "CAD"),
        ("Shares rose to HK$27.80 in Hong Kong.", "HK$27.80", 27.8, "HKD"),
        ("The fund set aside 1.2 billion Swiss francs.", "1.2 billion Swiss francs", 1.2e9, "CHF"),
        ("Analysts put the cost at EUR 350 million.", "EUR 350 million", 3.5e8, "EUR"),
        ("The plan costs ₹45,000 crore over five years.", "₹45,000 crore", 4.5e11, "INR"),
        ("Families will get 500 soles in support.", "500 soles", 500, "PEN"),
        ("The studio earned 10 billion yuan in China.", "10 billion yuan", 1e10, "CNY"),
    ],
)
def test_currency_sign_or_word_is_inside_the_span(sentence, span, value, currency):
    fact = one(sentence, "money", span)
    assert fact.text == span and fact.value_num == pytest.approx(value) and fact.currency == currency
    assert fact.label == "MONEY" and fact.unit is None


@pytest.mark.parametrize(
    ("sentence", "span", "value", "currency"),
    [
        ("The stock fell 52 cents in late trading.", "52 cents", 0.52, "USD"),
        ("A packet of cigarettes will rise by 86p.", "86p", 0.86, "GBP"),
        ("Duty on a pint will fall by 86 pence.", "86 pence", 0.86, "GBP"),
        ("A €40 bill cost the diner 28 cents more.", "28 cents", 0.28, "EUR"),
    ],
)
def test_minor_units_are_scaled_to_the_major_unit(sentence, span, value, currency):
    fact = one(sentence, "money", span)
    assert fact.value_num == pytest.approx(value) and fact.currency == currency


@pytest.mark.parametrize(
    ("sentence", "contains", "low", "high", "currency"),
    [
        ("The company expects earnings of $2.10 to $2.60 this year.", "$2.10", 2.1, 2.6, "USD"),
        ("Revenue will be between $15.5 billion and $16 billion.", "$15.5", 1.55e10, 1.6e10, "USD"),
        ("Claims could cost EUR 2-3 billion on top of the fine.", "EUR 2", 2e9, 3e9, "EUR"),
        ("Prices could rise by 2 to 3 rupees a litre.", "2 to 3", 2, 3, "INR"),
        ("Insurers put losses at between €1.5 billion and €2 billion.", "€1.5", 1.5e9, 2e9, "EUR"),
    ],
)
def test_ranges_keep_both_bounds(sentence, contains, low, high, currency):
    fact = one(sentence, "money", contains)
    assert (fact.value_num, fact.value_max) == (pytest.approx(low), pytest.approx(high))
    assert fact.currency == currency


def test_a_change_from_one_amount_to_another_is_two_amounts_not_a_range():
    found = facts("The price rose from $9.99 to $11.99 in March.", kind="money")
    assert [(f.value_num, f.value_max) for f in found] == [(9.99, None), (11.99, None)]
    found = facts("The dividend rose by 4 cents to 52 cents a share.", kind="money")
    assert [(f.value_num, f.label) for f in found] == [(0.04, "MONEY"), (0.52, "PRICE_PER_UNIT")]


@pytest.mark.parametrize(
    ("sentence", "contains", "value", "currency", "unit"),
    [
        ("Brent crude climbed to $66.40 a barrel.", "$66.40", 66.4, "USD", "per barrel"),
        ("Gold hit a record $4,780 an ounce on Monday.", "$4,780", 4780, "USD", "per ounce"),
        ("Conductors earn C$41.50 an hour on average.", "C$41.50", 41.5, "CAD", "per hour"),
        ("The company earned $1.47 a share.", "$1.47", 1.47, "USD", "per share"),
        ("Petrol peaked at 149.9p a litre in October.", "149.9p", 1.499, "GBP", "per litre"),
        ("Launches cost about $2,700 per kilogram.", "$2,700", 2700, "USD", "per kilogram"),
        ("The monitors sell for about $2,400 each.", "$2,400", 2400, "USD", "per unit"),
    ],
)
def test_prices_per_unit_are_typed_as_such(sentence, contains, value, currency, unit):
    fact = one(sentence, "money", contains)
    assert fact.label == "PRICE_PER_UNIT" and fact.unit == unit
    assert fact.value_num == pytest.approx(value) and fact.currency == currency
    assert unit.split()[-1] in fact.text or fact.text.endswith("each")  # the span says what it is per


def test_money_per_period_stays_money_with_its_period():
    fact = one("The change will save about $140 million a year from 2027.", "money", "$140")
    assert (fact.label, fact.unit, fact.value_num) == ("MONEY", "per year", 1.4e8)
    fact = one("Fines reach $10,000 a day.", "money", "$10,000")
    assert (fact.label, fact.unit) == ("MONEY", "per day")
    fact = one("The deal was worth $3 million a year earlier.", "money", "$3 million")
    assert fact.unit is None  # "a year earlier" is not a period


@pytest.mark.parametrize(
    ("sentence", "contains", "value", "currency", "unit"),
    [
        ("The yen weakened to 129.3 per dollar.", "129.3", 129.3, "JPY", "per USD"),
        ("The Indian rupee fell to a record low of 92.15 per dollar.", "92.15", 92.15, "INR", "per USD"),
        ("The pound fell to $1.2650 after the decision.", "$1.2650", 1.265, "USD", "per GBP"),
        ("Against the euro, sterling traded at €1.1580.", "€1.1580", 1.158, "EUR", "per GBP"),
        ("The Canadian dollar slipped to 72.1 US cents.", "72.1", 0.721, "USD", "per CAD"),
        ("The dollar fell 0.6 percent against the yen to 144.20 yen.", "144.20", 144.2, "JPY", "per USD"),
        ("It costs 129.3 yen per dollar to buy the currency.", "129.3 yen", 129.3, "JPY", "per USD"),
    ],
)
def test_exchange_rates_are_typed_with_the_currency_they_are_priced_against(sentence, contains, value, currency, unit):
    fact = one(sentence, "money", contains)
    assert (fact.label, fact.unit, fact.currency) == ("EXCHANGE_RATE", unit, currency)
    assert fact.value_num == pytest.approx(value)


def test_amounts_with_a_magnitude_are_never_exchange_rates():
    fact = one("The pound rose as investors pulled $4 billion from bonds.", "money", "$4 billion")
    assert fact.label == "MONEY"


@pytest.mark.parametrize(
    ("sentence", "span", "value", "unit"),
    [
        ("Inflation stood at 4.3 per cent in February.", "4.3 per cent", 4.3, "percent"),
        ("Revenue rose 14 percent to a record.", "14 percent", 14, "percent"),
        ("Efficacy was 77% against severe disease.", "77%", 77, "percent"),
        ("Margins widened by 1.8 percentage points.", "1.8 percentage points", 1.8, "percentage_point"),
        ("The bank cut rates by 25 basis points.", "25 basis points", 25, "basis_point"),
        (
            "Members voted for a cut of a quarter of a percentage point.",
            "a quarter of a percentage point",
            0.25,
            "percentage_point",
        ),
        ("Growth slowed to five percent.", "five percent", 5, "percent"),
        ("Sales rose 4.3pc in the quarter.", "4.3pc", 4.3, "percent"),
        ("The gap narrowed by 0.4 ppt over the year.", "0.4 ppt", 0.4, "percentage_point"),
    ],
)
def test_percentages_are_percent_never_money(sentence, span, value, unit):
    fact = one(sentence, "percent", span)
    assert fact.value_num == pytest.approx(value) and fact.unit == unit
    assert not facts(sentence, kind="money")


def test_percent_ranges():
    assert (one("The Alps would lose between 35 and 45 percent of their ice.", "percent", "35").value_max) == 45
    fact = one("The interval ran from 71% to 82% in the trial.", "percent", "71%")
    assert (fact.value_num, fact.value_max) == (71, None)  # "from … to …": two values
    fact = one("The confidence interval was 71% to 82%.", "percent", "71%")
    assert (fact.value_num, fact.value_max) == (71, 82)


def test_qualifier_of_an_amount():
    assert one("It will cost about $120 million.", "money", "$120").qualifier == "approximately"
    assert one("Investors pulled more than $4 billion.", "money", "$4").qualifier == "at_least"
    assert one("Bids of up to £15 million are expected.", "money", "£15").qualifier == "at_most"


def test_weights_and_verbs_that_look_like_currencies_are_not_money():
    assert not facts("He weighs 200 pounds and the team won 3 games.", kind="money")
