"""Many articles at once: per-article status, failure isolation, long bodies, worker processes."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime

import pytest

import newsflow.facts.core as core
from newsflow.facts import (
    EXTRACTED,
    FAILED,
    SKIPPED_LANGUAGE,
    ArticleInput,
    FactsError,
    FactsResult,
    FactsSettings,
    extract_facts,
    extract_facts_many,
)

ENGLISH = "Angela Quist, the mayor, said on Monday that the city would spend $2.4 billion on 40 new buses."
GERMAN = "Die Stadt gibt 2,4 Milliarden Euro aus, sagte die Bürgermeisterin am 3. März 2026."
PUBLISHED = date(2026, 3, 19)


def test_each_article_gets_a_status_in_order_and_bad_input_fails_alone():
    items = [
        (ENGLISH, PUBLISHED),
        (GERMAN, PUBLISHED, "de"),
        (None, PUBLISHED),
        (b"bytes are not text", PUBLISHED),
        (ENGLISH, "not a date"),
        (ENGLISH,),
        ArticleInput(ENGLISH, datetime(2026, 3, 19, 10, 0), "en"),
        (ENGLISH, "2026-03-19T10:00:00+00:00", None),
        42,
    ]
    results = extract_facts_many(items)
    assert [r.status for r in results] == [
        EXTRACTED, SKIPPED_LANGUAGE, FAILED, FAILED, FAILED, EXTRACTED, EXTRACTED, EXTRACTED, FAILED,
    ]  # fmt: skip
    assert "str" in results[2].error and "bytes" in results[3].error and "not a date" in results[4].error
    assert results[0].facts and results[0].error is None and results[0].language == "en"
    assert {f.fact_type for f in results[0].facts} >= {"entity", "date", "money", "quantity"}
    monday = [f for f in results[0].facts if f.fact_type == "date"][0]
    assert monday.date_start == date(2026, 3, 16)
    assert results[5].facts and not [f for f in results[5].facts if f.fact_type == "date"]  # no anchor, no weekday
    assert [asdict(f) for f in results[6].facts] == [asdict(f) for f in results[0].facts]


def test_results_iterate_their_facts_for_older_callers():
    result = extract_facts_many([(ENGLISH, PUBLISHED)])[0]
    assert isinstance(result, FactsResult) and list(result) == result.facts and len(result) == len(result.facts) > 0


def test_an_exception_in_the_rules_fails_that_article_only(monkeypatch):
    real = core.analyse_doc

    def flaky(doc, published):
        if "EXPLODE" in doc.text:
            raise KeyError("rule bug")
        return real(doc, published)

    monkeypatch.setattr(core, "analyse_doc", flaky)
    results = extract_facts_many([(ENGLISH, PUBLISHED), ("EXPLODE " + ENGLISH, PUBLISHED), (ENGLISH, PUBLISHED)])
    assert [r.status for r in results] == [EXTRACTED, FAILED, EXTRACTED]
    assert results[1].error == "KeyError: 'rule bug'" and results[0].facts and results[2].facts


def test_a_text_the_parser_refuses_fails_alone_and_the_batch_goes_on():
    too_long = "word " * 210_000  # over nlp.max_length (1,000,000 characters) in one piece
    settings = FactsSettings(chunk_chars=5_000_000, max_chars=5_000_000)
    results = extract_facts_many([(ENGLISH, PUBLISHED), (too_long, PUBLISHED), (ENGLISH, PUBLISHED)], settings)
    assert [r.status for r in results] == [EXTRACTED, FAILED, EXTRACTED]
    assert "E088" in results[1].error or "max_length" in results[1].error


def test_bodies_over_the_limit_fail_with_a_clear_reason():
    result = extract_facts_many([("x " * 3000, PUBLISHED)], FactsSettings(max_chars=5000))[0]
    assert result.status == FAILED and "exceeds the facts limit of 5000" in result.error


def test_long_bodies_are_parsed_in_chunks_with_exact_offsets_and_one_canonical_name():
    first = "Special Envoy Stephen Biegun met officials in Stockholm on Monday, and the talks cost $3 million.\n\n"
    filler = "The delegations discussed trade, fisheries and the weather over a long lunch.\n\n" * 40
    later = "Biegun said later that “the talks were constructive and will continue next month.”\n\n"
    text = first + filler + later + filler + later
    settings = FactsSettings(chunk_chars=2000)
    assert len(core._chunks(text, 2000)) > 3
    result = extract_facts_many([(text, PUBLISHED)], settings)[0]
    assert result.status == EXTRACTED
    for fact in result.facts:
        assert text[fact.start : fact.end] == fact.text
    biegun = [f for f in result.facts if f.fact_type == "entity" and f.text == "Biegun"]
    assert len(biegun) == 2 and {f.canonical for f in biegun} == {"Stephen Biegun"}
    quotes = [f for f in result.facts if f.fact_type == "quote"]
    assert len(quotes) == 2 and {q.speaker for q in quotes} == {"Stephen Biegun"}
    assert [f.value for f in result.facts if f.fact_type == "date" and "month" in f.text] == ["2026-04", "2026-04"]


def test_worker_processes_give_the_same_results():
    texts = [
        f"{name} said on Tuesday that {n} new buses would cost ${n}.5 million, about {n} per cent of the budget."
        for n, name in zip(
            range(2, 22), ["Angela Quist", "Derek Osei", "Maria Lopez", "Tom Whitaker"] * 5, strict=False
        )
    ]
    items = [(t, PUBLISHED) for t in texts] + [(None, PUBLISHED), (GERMAN, PUBLISHED, "de")]
    serial = extract_facts_many(items, FactsSettings(n_process=1))
    parallel = extract_facts_many(items, FactsSettings(n_process=2, min_articles_per_process=4, batch_size=4))
    assert [r.status for r in parallel] == [r.status for r in serial]
    assert [[asdict(f) for f in r.facts] for r in parallel] == [[asdict(f) for f in r.facts] for r in serial]
    assert sum(len(r.facts) for r in parallel) > 80


def test_extract_facts_one_text_raises_only_when_the_article_fails():
    assert extract_facts(ENGLISH, PUBLISHED)
    assert extract_facts(GERMAN, PUBLISHED, "de")
    with pytest.raises(FactsError, match="str"):
        extract_facts(None)  # type: ignore[arg-type]


def test_settings_from_environment(monkeypatch):
    monkeypatch.setenv("NEWSFLOW_FACTS_PROCESSES", "2")
    monkeypatch.setenv("NEWSFLOW_FACTS_MAX_CHARS", "50000")
    settings = FactsSettings.from_env()
    assert (settings.n_process, settings.max_chars, settings.batch_size) == (2, 50000, 32)
    monkeypatch.setenv("NEWSFLOW_FACTS_PROCESSES", "two")
    with pytest.raises(ValueError, match="NEWSFLOW_FACTS_PROCESSES"):
        FactsSettings.from_env()
