"""Facts for articles in languages without a model: money, percentages and explicit dates by rules.

Only English has an entity/parse model here. For German, Spanish, French, Italian, Portuguese
and Dutch the amount scanner of :mod:`money` runs with the language's decimal comma, magnitude
words ("3,5 Mio. €", "2.000 millones de euros") and percent words ("3,5 Prozent"), and dates
are read from the language's month names ("21. Januar 2019", "21 de enero de 2019") and numeric
forms ("21.01.2019"). Any other language gets the language-independent part: currency signs,
"%", ISO dates. The article's ``facts_status`` is then ``skipped_language``: the model-based
facts (entities, quantities, quotations) were skipped, these rule-based ones were not.
"""

from __future__ import annotations

import re
from datetime import date

from newsflow.facts.dates import _day, _month_span, _year_for_month
from newsflow.facts.money import Locale, money_and_percent, to_facts
from newsflow.facts.types import Fact

MODEL_LANGUAGES = {"en"}

MONTHS_BY_LANGUAGE: dict[str, list[str]] = {
    "de": ["januar", "februar", "märz", "april", "mai", "juni", "juli", "august", "september", "oktober",
           "november", "dezember"],
    "es": ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre",
           "noviembre", "diciembre"],
    "fr": ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
           "novembre", "décembre"],
    "it": ["gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto", "settembre",
           "ottobre", "novembre", "dicembre"],
    "pt": ["janeiro", "fevereiro", "março", "abril", "maio", "junho", "julho", "agosto", "setembro", "outubro",
           "novembro", "dezembro"],
    "nl": ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
           "november", "december"],
}  # fmt: skip
_EXTRA_MONTHS = {"de": {"jänner": 1, "sept.": 9}, "es": {"setiembre": 9}, "fr": {"fevrier": 2, "aout": 8}}

LOCALES: dict[str, Locale] = {
    "de": Locale(
        decimal_comma=True,
        scales={"Mio.": 1e6, "Mio": 1e6, "Millionen": 1e6, "Million": 1e6, "Mrd.": 1e9, "Mrd": 1e9,
                "Milliarden": 1e9, "Milliarde": 1e9, "Billionen": 1e12, "Billion": 1e12, "Tsd.": 1e3, "Tausend": 1e3},
        currency_words={"Euro": "EUR", "US-Dollar": "USD", "Dollar": "USD", "Pfund": "GBP", "Franken": "CHF",
                        "Rubel": "RUB", "Yen": "JPY", "Yuan": "CNY"},
        percent_words=("Prozent", "Prozentpunkte", "Prozentpunkten"),
    ),
    "es": Locale(
        decimal_comma=True,
        scales={"mil millones": 1e9, "millones": 1e6, "millón": 1e6, "millardos": 1e9, "billones": 1e12, "mil": 1e3},
        currency_words={"de euros": "EUR", "euros": "EUR", "de dólares": "USD", "dólares": "USD",
                        "de libras": "GBP", "libras": "GBP", "de pesos": "MXN", "de soles": "PEN"},
        percent_words=("por ciento", "puntos porcentuales"),
    ),
    "fr": Locale(
        decimal_comma=True,
        scales={"milliards": 1e9, "milliard": 1e9, "millions": 1e6, "million": 1e6, "Md": 1e9, "Mds": 1e9},
        currency_words={"d'euros": "EUR", "d’euros": "EUR", "euros": "EUR", "de dollars": "USD", "dollars": "USD",
                        "de livres": "GBP", "francs suisses": "CHF"},
        percent_words=("pour cent", "points de pourcentage"),
    ),
    "it": Locale(
        decimal_comma=True,
        scales={"miliardi": 1e9, "miliardo": 1e9, "milioni": 1e6, "milione": 1e6, "mld": 1e9, "mln": 1e6, "mila": 1e3},
        currency_words={"di euro": "EUR", "euro": "EUR", "di dollari": "USD", "dollari": "USD", "sterline": "GBP"},
        percent_words=("per cento", "punti percentuali"),
    ),
    "pt": Locale(
        decimal_comma=True,
        scales={"mil milhões": 1e9, "milhões": 1e6, "milhão": 1e6, "bilhões": 1e9, "bilhão": 1e9, "mil": 1e3},
        currency_words={"de euros": "EUR", "euros": "EUR", "de reais": "BRL", "reais": "BRL", "de dólares": "USD",
                        "dólares": "USD"},
        percent_words=("por cento", "pontos percentuais"),
    ),
    "nl": Locale(
        decimal_comma=True,
        scales={"miljoen": 1e6, "miljard": 1e9, "mln": 1e6, "mld": 1e9},
        currency_words={"euro": "EUR", "dollar": "USD", "pond": "GBP"},
        percent_words=("procent", "procentpunt"),
    ),
}  # fmt: skip
NEUTRAL = Locale(decimal_comma=False)


def base_language(language: str | None) -> str | None:
    """ "de-AT" → "de"; None or "" stays None (treated as English by the caller)."""
    if not language:
        return None
    return re.split(r"[-_]", language.strip().lower())[0] or None


def _month_table(language: str) -> dict[str, int]:
    table = {name: i for i, name in enumerate(MONTHS_BY_LANGUAGE.get(language, []), start=1)}
    table.update(_EXTRA_MONTHS.get(language, {}))
    return table


def _date_regexes(language: str) -> list[tuple[re.Pattern[str], str]]:
    months = _month_table(language)
    names = "|".join(sorted((re.escape(m) for m in months), key=len, reverse=True))
    out: list[tuple[re.Pattern[str], str]] = [
        (re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b"), "iso"),
        (re.compile(r"\b(\d{1,2})[./](\d{1,2})[./](\d{4})\b"), "dmy"),
    ]
    if names:
        out += [
            (
                re.compile(rf"\b(\d{{1,2}})(?:\.|er|º|°)?\s+(?:de\s+)?({names})\s+(?:de\s+|del\s+)?(\d{{4}})\b", re.I),
                "d_m_y",
            ),
            (re.compile(rf"\b({names})\s+(?:de\s+|del\s+)?(\d{{4}})\b", re.I), "m_y"),
            (re.compile(rf"\b(\d{{1,2}})(?:\.|er|º|°)?\s+(?:de\s+)?({names})\b", re.I), "d_m"),
        ]
    return out


def rule_dates(text: str, published: date | None, language: str | None) -> list[Fact]:
    months = _month_table(language or "")
    facts: list[Fact] = []
    used: list[tuple[int, int]] = []
    for regex, kind in _date_regexes(language or ""):
        for m in regex.finditer(text):
            if any(a < m.end() and m.start() < b for a, b in used):
                continue
            value = None
            if kind == "iso":
                value = _day(int(m[1]), int(m[2]), int(m[3]))
            elif kind == "dmy":
                value = _day(int(m[3]), int(m[2]), int(m[1]))
            elif kind == "d_m_y":
                value = _day(int(m[3]), months[m[2].lower()], int(m[1]))
            elif kind == "m_y":
                value = _month_span(int(m[2]), months[m[1].lower()])
            elif kind == "d_m" and published is not None:
                month, day = months[m[2].lower()], int(m[1])
                value = _day(_year_for_month(month, day, published, None), month, day)
            if value is None:
                continue
            sentence = _sentence(text, m.start(), m.end())
            facts.append(
                Fact(
                    "date", "DATE", m.group(0), m.start(), m.end(), sentence, value=value.render(),
                    resolution=value.resolution, date_start=value.start, date_end=value.end, extractor="rules",
                )
            )  # fmt: skip
            used.append((m.start(), m.end()))
    return facts


def _sentence(text: str, start: int, end: int) -> str:
    left = max(text.rfind(". ", 0, start), text.rfind("\n", 0, start))
    right_candidates = [i for i in (text.find(". ", end), text.find("\n", end)) if i >= 0]
    right = min(right_candidates) + 1 if right_candidates else len(text)
    return text[left + 1 : right].strip()


def rule_facts(text: str, published: date | None, language: str | None) -> list[Fact]:
    """Money, percentages and dates of a text in a language without a model."""
    locale = LOCALES.get(language or "", NEUTRAL)
    found = money_and_percent(text, (), locale)
    facts = to_facts(found, text, lambda s, e: _sentence(text, s, e), extractor="rules")
    taken = [(f.start, f.end) for f in facts]
    facts += [f for f in rule_dates(text, published, language) if not any(a < f.end and f.start < b for a, b in taken)]
    return sorted(facts, key=lambda f: f.start)
