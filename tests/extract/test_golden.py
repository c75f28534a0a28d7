"""Golden pages, one per page type: page in, body and metadata out (tests/extract/golden/<case>.html + .json).

Each ``.json`` names what the page is about, the URL and clock it is extracted with, the feed hints
if any, and the expected ``newsflow extract --json`` object (language confidence is checked as a
range, not as a float). The pages were written for these tests as realistic markup of their kind.
"""

import json
from datetime import datetime
from pathlib import Path

import pytest

from newsflow.extract import FeedHints, extract_html

GOLDEN = Path(__file__).parent / "golden"
CASES = sorted(p.stem for p in GOLDEN.glob("*.json"))


def _hints(spec: dict) -> FeedHints | None:
    h = spec.get("hints")
    if not h:
        return None
    published = datetime.fromisoformat(h["published"]) if h.get("published") else None
    return FeedHints(
        title=h.get("title"),
        summary=h.get("summary"),
        content_html=h.get("content_html"),
        published=published,
        authors=tuple(h.get("authors", ())),
    )


def test_the_required_page_types_have_golden_cases():
    assert {
        "client_rendered_jsonld",
        "client_rendered_next_data",
        "pullquotes_subheadings",
        "multi_author_byline",
        "title_site_suffix",
    } <= set(CASES)
    for case in CASES:
        assert (GOLDEN / f"{case}.html").is_file()


@pytest.mark.parametrize("case", CASES)
def test_golden_page(case):
    spec = json.loads((GOLDEN / f"{case}.json").read_text(encoding="utf-8"))
    html = (GOLDEN / f"{case}.html").read_bytes()
    ex = extract_html(html, spec["url"], hints=_hints(spec), now=datetime.fromisoformat(spec["now"]))
    got = ex.as_json()
    expected = spec["expected"]
    assert expected["body"], "a golden case always has a body"
    for key, value in expected.items():
        assert got[key] == value, f"{case}: {key}"
    if got["language"]:
        assert 0.9 <= got["language_confidence"] <= 1.0
    # The body convention: blank-line separated blocks, headings on their own, nothing glued.
    for block in got["body"].split("\n\n"):
        assert block == block.strip() and block
        if block.startswith("## "):
            assert "\n" not in block


def test_placeholders_never_become_the_body():
    for case in ("client_rendered_jsonld", "client_rendered_next_data"):
        spec = json.loads((GOLDEN / f"{case}.json").read_text(encoding="utf-8"))
        ex = extract_html((GOLDEN / f"{case}.html").read_bytes(), spec["url"], now=datetime.fromisoformat(spec["now"]))
        assert ex.word_count > 100
        for placeholder in ("Loading", "Wird geladen", "enable JavaScript"):
            assert placeholder not in ex.body
