"""Language from py3langid with its confidence; text that is not language gets none."""

import random

import pytest

from newsflow.extract import detect_language, extract_html, extract_text
from newsflow.extract.language import normalise_code

ENGLISH = (
    "The council approved the transit budget on Tuesday after a long debate over bus routes, "
    "fares for students and the timetable for the new tram line along the river."
)
GERMAN = (
    "Der Stadtrat hat am Dienstag nach langer Debatte den Haushalt für den Nahverkehr genehmigt, "
    "einschließlich der neuen Straßenbahnlinie am Fluss und günstigerer Fahrkarten für Schüler."
)


def test_languages_come_with_confidence():
    for text, code in ((ENGLISH, "en"), (GERMAN, "de")):
        lang, confidence = detect_language(text)
        assert lang == code and confidence is not None and 0.9 <= confidence <= 1.0


@pytest.mark.parametrize("seed", range(5))
def test_random_bytes_get_no_language(seed):
    data = random.Random(seed).randbytes(20_000)
    for text in (data.decode("latin-1"), data.decode("utf-8", "replace")):
        assert detect_language(text) == (None, None)
    ex = extract_html(b"<html lang='pt'><body><p>" + data.replace(b"<", b" ") + b"</p></body></html>")
    assert ex.language is None and ex.language_confidence is None


@pytest.mark.parametrize(
    "text",
    ["<<<>>>" * 1000, "{}[]();=" * 500, "0123456789 " * 300, "asdkjh qwe zxcmnb qwpoeiru alskdjf lkjasd " * 10],
)
def test_markup_soup_numbers_and_gibberish_get_no_language(text):
    assert detect_language(text) == (None, None)


def test_declared_language_only_for_bodies_too_short_to_identify():
    brief = "<p>Kurz gemeldet: Die Brücke ist wieder offen.</p>"
    short = f"<html lang='de-AT'><body><article>{brief}</article></body></html>"
    ex = extract_html(short)
    assert ex.body and ex.language == "de" and ex.language_source == "declared" and ex.language_confidence is None
    more = "Riders will pay the same fare until the end of next year, the transit authority said in a statement."
    declared_wrong = f"<html lang='fr'><body><article><p>{ENGLISH}</p><p>{more}</p></article></body></html>"
    ex = extract_html(declared_wrong)
    assert ex.language == "en" and ex.language_source == "detected"
    assert "language_declared_fr_detected_en" in ex.warnings


def test_plain_text_articles_are_identified_too(seed_text):
    ex = extract_text(seed_text)
    assert ex.language == "en" and ex.language_confidence >= 0.9


@pytest.mark.parametrize(
    ("code", "expected"), [("en-GB", "en"), ("pt_BR", "pt"), ("DE", "de"), ("zxx", None), ("", None)]
)
def test_declared_codes_are_normalised(code, expected):
    assert normalise_code(code) == expected
