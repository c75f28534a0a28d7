"""Small helpers for the rule tests: run the real pipeline on one sentence, pick facts by type."""

from __future__ import annotations

from datetime import date

from newsflow.facts import Fact, extract_facts

PUBLISHED = date(2026, 3, 19)  # a Thursday


def facts(text: str, published: date | None = PUBLISHED, kind: str | None = None) -> list[Fact]:
    found = extract_facts(text, published)
    for f in found:
        assert text[f.start : f.end] == f.text, f
    return [f for f in found if kind is None or f.fact_type == kind]


def one(text: str, kind: str, contains: str, published: date | None = PUBLISHED) -> Fact:
    """The single fact of ``kind`` whose text contains ``contains``."""
    found = [f for f in facts(text, published, kind) if contains in f.text]
    assert len(found) == 1, (contains, [(f.text, f.fact_type) for f in facts(text, published)])
    return found[0]
