"""Articles in languages without a model: money, percentages and dates by language-independent
rules, and a status that says so."""

from __future__ import annotations

from datetime import date

import pytest

from newsflow.facts import SKIPPED_LANGUAGE, extract_facts_many
from newsflow.facts.languages import base_language

PUBLISHED = date(2026, 3, 10)


def _facts(text: str, language: str):
    result = extract_facts_many([(text, PUBLISHED, language)])[0]
    assert result.status == SKIPPED_LANGUAGE and result.language == base_language(language)
    for f in result.facts:
        assert text[f.start : f.end] == f.text
        assert f.extractor == "rules"
    return result.facts


@pytest.mark.parametrize(
    ("language", "text", "span", "value", "currency"),
    [
        ("de", "Der Umsatz stieg auf € 3,5 Mio. im Quartal.", "€ 3,5 Mio.", 3.5e6, "EUR"),
        ("de", "Die Firma zahlt 2,4 Milliarden Euro.", "2,4 Milliarden Euro", 2.4e9, "EUR"),
        ("de", "Das Paket kostet 1.200,50 Euro.", "1.200,50 Euro", 1200.5, "EUR"),
        ("es", "Las ventas llegaron a 2.000 millones de euros.", "2.000 millones de euros", 2e9, "EUR"),
        ("es", "El Gobierno pagará 350 dólares por familia.", "350 dólares", 350, "USD"),
        ("fr", "Le groupe a levé 1,2 milliard d’euros.", "1,2 milliard d’euros", 1.2e9, "EUR"),
        ("ja", "売上高は $3.5 billion に達した。", "$3.5 billion", 3.5e9, "USD"),
    ],
)
def test_money_by_local_number_format_and_words(language, text, span, value, currency):
    money = [f for f in _facts(text, language) if f.fact_type == "money"]
    assert [(f.text, f.currency) for f in money] == [(span, currency)]
    assert money[0].value_num == pytest.approx(value)


@pytest.mark.parametrize(
    ("language", "text", "span", "value"),
    [
        ("de", "Die Inflation lag bei 2,1 % und stieg um 3,5 Prozent.", "3,5 Prozent", 3.5),
        ("es", "El paro bajó un 4,3 por ciento.", "4,3 por ciento", 4.3),
        ("fr", "La croissance a atteint 1,5 pour cent.", "1,5 pour cent", 1.5),
    ],
)
def test_percentages_with_local_words(language, text, span, value):
    percents = {f.text: f.value_num for f in _facts(text, language) if f.fact_type == "percent"}
    assert percents[span] == pytest.approx(value)


@pytest.mark.parametrize(
    ("language", "text", "span", "start", "resolution"),
    [
        ("de", "Am 21. Januar 2019 trat das Gesetz in Kraft.", "21. Januar 2019", "2019-01-21", "day"),
        ("de", "Im März 2026 begann der Bau.", "März 2026", "2026-03-01", "month"),
        ("es", "El 21 de enero de 2019 entró en vigor.", "21 de enero de 2019", "2019-01-21", "day"),
        ("es", "Las obras empezarán en marzo de 2026.", "marzo de 2026", "2026-03-01", "month"),
        ("fr", "La loi du 3 mars 2025 s’applique.", "3 mars 2025", "2025-03-03", "day"),
        ("de", "Die Frist endet am 21.01.2027.", "21.01.2027", "2027-01-21", "day"),
        ("pl", "Ustawa z 2019-01-21 weszła w życie.", "2019-01-21", "2019-01-21", "day"),
    ],
)
def test_explicit_dates_with_local_month_names(language, text, span, start, resolution):
    dates = [f for f in _facts(text, language) if f.fact_type == "date"]
    assert [(f.text, f.date_start.isoformat(), f.resolution) for f in dates] == [(span, start, resolution)]


def test_no_entities_quotes_or_quantities_without_a_model():
    text = "„Wir zahlen 3,5 Mio. Euro“, sagte Angela Quist am 3. März in Berlin vor 200 Zuhörern."
    kinds = {f.fact_type for f in _facts(text, "de")}
    assert kinds == {"money", "date"}


def test_language_codes_are_normalised():
    assert base_language("de-AT") == "de" and base_language("EN_gb") == "en" and base_language("") is None
    english = extract_facts_many([("Angela Quist met officials in Paris on Monday.", PUBLISHED, "en-GB")])[0]
    assert english.status == "extracted" and {f.fact_type for f in english.facts} >= {"entity", "date"}
