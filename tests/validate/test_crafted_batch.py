"""Twenty crafted bad articles and six bad facts among good ones: exactly those are quarantined, with
the right reasons and the offending values, and every good row passes unchanged and in order.

The good articles are the 181 real bodies of the extraction benchmark (22 languages and scripts,
369 to 53,000 characters), so a false positive of any check shows here too. The good facts are what
the real facts stage (spaCy) finds in some of them.
"""

from __future__ import annotations

import json
import random
import re
from datetime import UTC, datetime

import pyarrow as pa
import pytest

from newsflow import storage
from newsflow.facts.stage import fact_rows
from newsflow.runs import StageRecorder
from newsflow.validate import validate_articles_table, validate_facts_table
from newsflow.validate.settings import ValidationSettings
from tests.validate.conftest import FETCHED, SUITES, article


def _junk(seed: int, size: int = 20_000) -> bytes:
    rng = random.Random(seed)
    return bytes(rng.getrandbits(8) for _ in range(size))


def _soup(words: str) -> str:
    return "\n".join(
        f'<div class="story-body__inner"><p class="lead">{words}</p><span data-track="share">Share</span></div>'
        for _ in range(20)
    )


ENGLISH = (
    "The city council approved the transit budget on Tuesday after a long debate about bus routes, "
    "fares and the schedule for the new tram line, which officials said would open next spring. "
)

# id -> (row overrides, reasons that must be present, reasons that may also be present)
BAD: dict[str, tuple[dict, set[str], set[str]]] = {
    "empty_body": (
        {"body": "", "word_count": 0, "content_hash": None},
        {"body_too_short", "body_not_text"},
        {"content_hash_invalid"},
    ),
    "binary_junk_utf8": ({"body": _junk(1).decode("utf-8", errors="replace")}, {"body_not_text"}, {"body_markup"}),
    "binary_junk_cp1252": (
        {"body": re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]", "", _junk(2).decode("cp1252", errors="ignore"))},
        {"body_not_text"},
        {"body_markup"},
    ),
    "body_5mb": ({"body": ENGLISH * (5_000_000 // len(ENGLISH))}, {"body_too_long"}, set()),
    "title_replacement_chars": (
        {"title": b"Caf\xe9 owners furious over rent rise".decode("utf-8", errors="replace")},
        {"title_invalid_utf8"},
        set(),
    ),
    "published_2099": ({"published": datetime(2099, 1, 1, tzinfo=UTC)}, {"published_in_future"}, set()),
    "published_1970": ({"published": datetime(1970, 1, 1, tzinfo=UTC)}, {"published_before_1990"}, set()),
    "duplicate_id": ({}, {"article_id_not_unique"}, set()),  # gets the id of the first good article below
    "javascript_url": (
        {"url": "javascript:alert(document.cookie)", "canonical_url": "javascript:alert(1)"},
        {"url_invalid", "canonical_url_invalid"},
        set(),
    ),
    "title_control_chars": ({"title": "Breaking\x07 news: \x1b[31mmarkets fall"}, {"title_control_characters"}, set()),
    "markup_soup": ({"body": _soup(ENGLISH)}, {"body_markup"}, {"body_not_text"}),
    "title_mojibake": ({"title": "CafÃ© owners â€˜furiousâ€™ over rent"}, {"title_mojibake"}, set()),
    "language_not_iso": ({"language": "english"}, {"language_not_allowed"}, set()),
    "word_count_wrong": ({"word_count": 5000}, {"word_count_inconsistent"}, set()),
    "blank_body": ({"body": " \n\n \t " * 60, "word_count": 0}, {"body_not_text"}, set()),
    "duplicate_url": ({}, {"url_not_unique"}, set()),  # gets the URL of the second good article below
    "published_missing": ({"published": None}, {"published_missing"}, set()),
    "content_hash_garbage": ({"content_hash": "not-a-hash"}, {"content_hash_invalid"}, set()),
    "video_only": (
        {"body_source": "video_only", "body": "Watch the video.", "word_count": 3},
        {"video_only_page", "body_too_short"},
        set(),
    ),
    "title_missing": ({"title": None}, {"title_missing"}, set()),
}


def crafted_rows(good: list[dict]) -> list[dict]:
    """One row per defect in ``BAD`` (its ``raw_ref`` names the defect); the duplicates copy the id
    of ``good[0]`` and the URL of ``good[1]``."""
    bad = []
    for j, (name, (overrides, _, _)) in enumerate(BAD.items()):
        body = overrides.get("body", ENGLISH * 3)
        row = article(1000 + j, body, raw_ref=f"bad:{name}", **{k: v for k, v in overrides.items() if k != "body"})
        if name == "duplicate_id":
            row["article_id"] = good[0]["article_id"]
        if name == "duplicate_url":
            row["url"] = good[1]["url"]
        bad.append(row)
    return bad


@pytest.fixture(scope="module")
def batch(real_bodies):
    """(table, name of each row's defect or None): the bad rows spread among the good ones. A bad
    row's ``raw_ref`` names its defect, so its quarantine row can be told apart."""
    good = [article(i, body) for i, body in enumerate(real_bodies)]
    bad = crafted_rows(good)
    rows: list[dict] = []
    for i, row in enumerate(good):
        rows.append(row)
        if i % 9 == 4 and bad:
            rows.append(bad.pop(0))
    rows.extend(bad)
    names = [r["raw_ref"][4:] if r["raw_ref"].startswith("bad:") else None for r in rows]
    return storage.to_table("articles", rows), names


def test_exactly_the_crafted_articles_are_quarantined_with_their_reasons(batch):
    table, names = batch
    good, quarantine = validate_articles_table(table, SUITES, "run-test", settings=ValidationSettings())
    assert sum(1 for n in names if n) == 20
    assert good.num_rows == table.num_rows - 20
    # The good rows pass unchanged and in order.
    keep = [i for i, n in enumerate(names) if not n]
    assert good.equals(table.take(pa.array(keep)))

    assert len(quarantine) == 20
    by_name = {json.loads(q["row"])["raw_ref"][4:]: q for q in quarantine}
    assert set(by_name) == set(BAD)
    for name, (_, required, optional) in BAD.items():
        q = by_name[name]
        reasons = set(q["failed_expectations"])
        assert required <= reasons, (name, reasons)
        assert reasons <= required | optional, (name, reasons)
        assert q["dataset"] == "articles" and q["stage"] == "validate" and q["run_id"] == "run-test"
        assert q["record_id"] == json.loads(q["row"])["article_id"]
        observed = json.loads(q["observed_values"])
        assert observed, name
        assert {key.split(".", 1)[0] for key in observed} == reasons, (name, observed)


def test_observed_values_show_what_was_judged(batch):
    table, names = batch
    _, quarantine = validate_articles_table(table, SUITES, "run-test", settings=ValidationSettings())
    observed = {}
    for q in quarantine:
        obs = json.loads(q["observed_values"])
        for key, value in obs.items():
            observed.setdefault(key, []).append(value)
    assert any(v.startswith("2099-01-01") for v in observed["published_in_future.published"])
    assert any(v > 1e9 for v in observed["published_in_future._published_ahead_seconds"])
    assert any(v < 0.6 for v in observed["body_not_text._text_quality"])
    assert max(observed["body_too_long._body_length"]) > 4_900_000
    assert all(len(v) <= 201 for v in observed["body_too_long.body"])  # long text is cut in observed values
    assert "javascript:alert(document.cookie)" in observed["url_invalid.url"]
    assert observed["word_count_inconsistent.word_count"] == [5000]
    assert observed["article_id_not_unique._article_id_repeat"] == [2]


def test_the_whole_row_is_kept_in_quarantine(batch):
    table, names = batch
    _, quarantine = validate_articles_table(table, SUITES, "run-test", settings=ValidationSettings())
    big = next(q for q in quarantine if "body_too_long" in q["failed_expectations"])
    assert len(json.loads(big["row"])["body"]) > 4_900_000  # nothing that fails a check vanishes
    table_q = storage.to_table("quarantine", quarantine)
    assert table_q.num_rows == 20


def test_invalid_utf8_bytes_in_an_arrow_title_are_quarantined():
    """Arrow columns read from elsewhere can hold bytes that are not UTF-8 (Python strings never can)."""
    rows = [article(i, ENGLISH * 3) for i in range(3)]
    table = storage.to_table("articles", rows)
    raw = pa.array([b"Good title one", b"Caf\xe9 \xff\xfe broken", b"Good title three"], pa.binary())
    titles = raw.view(pa.string())  # no validation: the bytes stay as they are
    with pytest.raises(pa.ArrowInvalid):
        titles.validate(full=True)
    table = table.set_column(table.schema.get_field_index("title"), storage.ARTICLES.field("title"), titles)
    good, quarantine = validate_articles_table(table, SUITES, "run-test", settings=ValidationSettings())
    assert good.column("article_id").to_pylist() == [rows[0]["article_id"], rows[2]["article_id"]]
    assert len(quarantine) == 1
    assert quarantine[0]["failed_expectations"] == ["title_invalid_utf8"]
    assert "\ufffd" in json.loads(quarantine[0]["row"])["title"]


def test_allowed_languages_come_from_the_settings(real_bodies):
    rows = [
        article(0, ENGLISH * 3, language="en"),
        article(1, ENGLISH * 3, language="de"),
        article(2, ENGLISH * 3, language=None),
    ]
    table = storage.to_table("articles", rows)
    good, quarantine = validate_articles_table(
        table, SUITES, "run-test", settings=ValidationSettings(allowed_languages=("en",))
    )
    assert good.column("language").to_pylist() == ["en", None]  # null: not identified, allowed
    assert [q["failed_expectations"] for q in quarantine] == [["language_not_allowed"]]


# ---------------------------------------------------------------- facts


@pytest.fixture(scope="module")
def facts_batch(real_bodies):
    """Good articles with their real facts (spaCy), then six crafted bad facts."""
    english = [b for b in real_bodies if re.search(r"\b(the|and|said)\b", b[:2000])][:6]
    articles = [article(i, body, duplicate_of=None) for i, body in enumerate(english)]
    out = fact_rows(articles, "run-test", StageRecorder("run-test", FETCHED, "facts"))
    facts = out.facts
    assert len(facts) > 50
    a0, a1 = out.articles[0], out.articles[1]
    template = dict(facts[0])
    bad = {
        "offsets_overrun": {
            **template,
            "fact_id": "bad-1",
            "article_id": a0["article_id"],
            "start": len(a0["body"]) - 3,
            "end": len(a0["body"]) + 40,
        },
        "unknown_type": {**template, "fact_id": "bad-2", "fact_type": "rumour", "label": "GOSSIP"},
        "text_mismatch": {
            **template,
            "fact_id": "bad-3",
            "article_id": a1["article_id"],
            "start": 0,
            "end": 5,
            "text": "XXXXX",
        },
        "unknown_article": {**template, "fact_id": "bad-4", "article_id": "0000000000000000"},
        "duplicate_fact_id": {**facts[1]},
        "label_of_another_type": {**template, "fact_id": "bad-6", "fact_type": "entity", "label": "MONEY"},
    }
    rows = facts[:20] + list(bad.values())[:3] + facts[20:] + list(bad.values())[3:]
    return storage.to_table("articles", out.articles), storage.to_table("facts", rows), bad


FACT_REASONS = {
    "offsets_overrun": {"offsets_out_of_range"},
    "unknown_type": {"fact_type_unknown", "label_unknown"},
    "text_mismatch": {"text_mismatch"},
    "unknown_article": {"article_not_in_batch"},
    "duplicate_fact_id": {"fact_id_not_unique"},
    "label_of_another_type": {"label_unknown"},
}


def test_bad_facts_are_quarantined_and_real_facts_pass(facts_batch):
    articles, facts, bad = facts_batch
    good, quarantine = validate_facts_table(facts, articles, SUITES, "run-test", settings=ValidationSettings())
    assert good.num_rows == facts.num_rows - 6
    assert len(quarantine) == 6
    got = {}
    for q in quarantine:
        row = json.loads(q["row"])
        name = next(
            n
            for n, b in bad.items()
            if b["fact_id"] == row["fact_id"]
            and b["start"] == row["start"]
            and b["article_id"] == row["article_id"]
            and b["fact_type"] == row["fact_type"]
            and b["label"] == row["label"]
        )
        got[name] = set(q["failed_expectations"])
        assert q["dataset"] == "facts" and q["stage"] == "validate"
    assert got == FACT_REASONS
    overrun = next(q for q in quarantine if "offsets_out_of_range" in q["failed_expectations"])
    observed = json.loads(overrun["observed_values"])
    assert observed["offsets_out_of_range.end"] > observed["offsets_out_of_range._body_length"]
    mismatch = next(q for q in quarantine if "text_mismatch" in q["failed_expectations"])
    observed = json.loads(mismatch["observed_values"])
    assert observed["text_mismatch.text"] == "XXXXX" and observed["text_mismatch._body_span"] != "XXXXX"


def test_facts_need_their_articles(facts_batch):
    articles, facts, _ = facts_batch
    good, quarantine = validate_facts_table(
        facts, articles.slice(0, 0), SUITES, "run-test", settings=ValidationSettings()
    )
    assert good.num_rows == 0
    assert len(quarantine) == facts.num_rows
    assert all("article_not_in_batch" in q["failed_expectations"] for q in quarantine)


def test_a_title_with_lone_surrogates_is_quarantined_once_sanitized():
    """Half an escaped emoji in JSON-LD, or surrogateescape decoding: Arrow refuses the row whole
    until the surrogates are replaced; then the suite quarantines it and the rest of the hour passes."""
    from newsflow.validate.unicode import sanitize_row

    bad = article(1, ENGLISH * 3, title=json.loads('"Storm \\ud83d hits the coast"'), authors=["Ann \udcff"])
    good = article(0, ENGLISH * 3)
    with pytest.raises((pa.ArrowInvalid, UnicodeEncodeError)):
        storage.to_table("articles", [good, bad])
    table = storage.to_table("articles", [sanitize_row(good), sanitize_row(bad)])
    kept, quarantine = validate_articles_table(table, SUITES, "run-test", settings=ValidationSettings())
    assert kept.column("article_id").to_pylist() == [good["article_id"]]
    assert [q["failed_expectations"] for q in quarantine] == [["title_invalid_utf8"]]
    assert json.loads(quarantine[0]["row"])["title"] == "Storm \ufffd hits the coast"
    assert sanitize_row(good) == good
