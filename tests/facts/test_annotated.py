"""The hand-annotated articles: the gold is sound and complete, and the extractor meets its targets on them.

The scoring is ``bench/facts.py``'s; the floors asserted here are the issue's targets, on the
tune part, the held-out part and both together.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import date

import pytest

from bench.facts import ANNOTATED, TARGETS, load_articles, report, score
from newsflow.facts import FactsSettings, extract_facts_many
from tests.facts.annotated.compile import compile_source, date_range


@pytest.fixture(scope="module")
def articles():
    return load_articles()


@pytest.fixture(scope="module")
def results(articles):
    items = [(a["body"], date.fromisoformat(a["published"]), a["language"]) for a in articles]
    return extract_facts_many(items, FactsSettings(n_process=1))


def test_compiled_files_match_their_sources():
    sources = sorted((ANNOTATED / "src").glob("*.ann"))
    assert len(sources) >= 30
    for src in sources:
        body, gold = compile_source(src.read_text(encoding="utf-8"))
        assert (ANNOTATED / f"{src.stem}.txt").read_text(encoding="utf-8") == body, src.name
        assert json.loads((ANNOTATED / f"{src.stem}.json").read_text()) == gold, src.name


def test_set_size_split_and_length(articles):
    assert len(articles) >= 30
    splits = Counter(a["split"] for a in articles)
    assert set(splits) == {"tune", "heldout"}
    assert 0.25 <= splits["heldout"] / len(articles) <= 0.4
    for a in articles:
        assert a["id"].startswith(a["split"] + "-")
        assert 300 <= len(a["body"].split()) <= 700, (a["id"], len(a["body"].split()))
    sections = Counter(a["section"] for a in articles)
    assert {"business", "politics", "science", "sport", "courts", "disasters"} <= set(sections)
    for split in ("tune", "heldout"):
        assert len({a["section"] for a in articles if a["split"] == split}) >= 5


def test_gold_spans_index_the_bodies_and_follow_the_guideline(articles):
    for a in articles:
        body = a["body"]
        for group in ("entities", "money", "percent", "quantities", "dates", "quotes"):
            for item in a[group]:
                assert body[item["start"] : item["end"]] == item["text"], (a["id"], item)
                nth = [m.start() for m in re.finditer(re.escape(item["text"]), body)]
                assert nth[item["occurrence"] - 1] == item["start"], (a["id"], item)
        for e in a["entities"]:
            assert not re.match(r"(?i)the\s", e["text"]) and not re.search(r"['’]s$", e["text"]), e
            assert e["label"] in ("PERSON", "ORG", "GPE", "LOC")
        for d in a["dates"]:
            assert d["date_start"] <= d["date_end"] and d["resolution"] in ("day", "week", "month", "quarter", "year")
        for m in a["money"]:
            assert re.fullmatch(r"[A-Z]{3}", m["currency"]) and m["value_num"] > 0, m
            assert (m["value_max"] is None) or m["value_max"] > m["value_num"]
        for q in a["quotes"]:
            assert q["speaker"], q


def test_gold_covers_every_feature_the_issue_names(articles):
    """Each bullet of the issue has examples in both parts of the set, so the scores mean something."""
    for split in ("tune", "heldout"):
        part = [a for a in articles if a["split"] == split]
        money = [m for a in part for m in a["money"]]
        percent = [p for a in part for p in a["percent"]]
        quantities = [q for a in part for q in a["quantities"]]
        dates = [d for a in part for d in a["dates"]]
        quotes = [(a["body"], q) for a in part for q in a["quotes"]]
        entities = [e for a in part for e in a["entities"]]
        assert {"USD", "EUR", "GBP"} <= {m["currency"] for m in money}, split
        assert len({m["currency"] for m in money}) >= 6, split
        assert any(m["label"] == "PRICE_PER_UNIT" for m in money) and any(m["value_max"] for m in money)
        assert any(m["label"] == "EXCHANGE_RATE" for m in money), split
        assert any(m["value_num"] < 1 and re.search(r"cents|p\b|pence", m["text"]) for m in money), split
        assert any(p["unit"] == "percentage_point" for p in percent) and any(
            "per cent" in p["text"] or "percent" in p["text"] for p in percent
        )
        assert {"DURATION", "AGE", "QUANTITY", "CARDINAL"} <= {q["label"] for q in quantities}, split
        assert any(q["object"] for q in quantities) and any(q["qualifier"] for q in quantities)
        assert any(q["value_max"] for q in quantities) or split == "tune" and any(q["value_max"] for q in quantities)
        assert {"day", "month", "year"} <= {d["resolution"] for d in dates}
        assert any(d["date_start"] != d["date_end"] and d["resolution"] == "day" for d in dates) or split == "heldout"
        assert any("\n" in q["text"] for _, q in quotes), f"{split}: a quotation over paragraphs"
        assert any(body[q["start"] - 1] == '"' for body, q in quotes), f"{split}: straight quotation marks"
        assert any(body[q["start"] - 1] == "“" for body, q in quotes), f"{split}: curly quotation marks"
        assert any(e["canonical"] != e["text"] and e["label"] == "PERSON" for e in entities), split
        assert any(e["canonical"] != e["text"] and e["label"] == "ORG" for e in entities), split
    everything = list(articles)
    assert {"JPY", "INR", "CHF", "AUD", "CAD", "HKD", "CNY"} <= {m["currency"] for a in everything for m in a["money"]}
    assert any("‘" in a["body"] and a["quotes"] for a in everything), "single quotation marks"
    assert any(d["resolution"] in ("quarter", "week") for a in everything for d in a["dates"])
    assert any(q["label"] == "DURATION" and q["object"] for a in everything for q in a["quantities"])


def test_date_spec_resolves_like_the_guideline():
    assert date_range("2026-03") == ("2026-03-01", "2026-03-31", "month")
    assert date_range("2026-Q1") == ("2026-01-01", "2026-03-31", "quarter")
    assert date_range("2026-W12") == ("2026-03-16", "2026-03-22", "week")
    assert date_range("1970/1979") == ("1970-01-01", "1979-12-31", "year")


def test_every_fact_of_every_article_slices_its_body(articles, results):
    assert all(r.status == "extracted" for r in results), [
        (a["id"], r.error) for a, r in zip(articles, results, strict=True)
    ]
    total = 0
    for article, result in zip(articles, results, strict=True):
        assert result.facts, article["id"]
        for fact in result.facts:
            assert article["body"][fact.start : fact.end] == fact.text, (article["id"], fact)
            total += 1
    assert total > 1500


@pytest.mark.parametrize("split", ["tune", "heldout", None])
def test_scores_meet_the_targets(articles, results, split):
    chosen = [i for i, a in enumerate(articles) if split is None or a["split"] == split]
    assert chosen
    s = report(split or "combined", score([articles[i] for i in chosen], [results[i] for i in chosen]))
    assert s["entity_f1"] >= TARGETS["entity_f1"], s
    for kind in ("money", "quantity", "date", "quote"):
        assert s[f"{kind}_p"] >= TARGETS["precision"], (kind, s)
        assert s[f"{kind}_r"] >= TARGETS["recall"], (kind, s)
    assert s["speaker"] >= TARGETS["speaker"], s
    assert s["money_values"] >= TARGETS["values"] and s["date_values"] >= TARGETS["values"], s
