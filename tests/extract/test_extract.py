"""Extraction on the seed article and on the newsroom's cluttered pages."""

import json

import httpx
import pytest

from newsflow.extract import clean_paragraphs, extract_html, extract_text, guess_language
from newsflow.newsroom.content import load_articles
from tests.conftest import SEED_FACTS

SEED_PARAGRAPHS_MIN_WORDS = 10


def _seed_paragraphs(seed_text: str) -> list[str]:
    lines = [ln.strip() for ln in seed_text.splitlines() if ln.strip()]
    return [ln for ln in lines[2:] if len(ln.split()) >= SEED_PARAGRAPHS_MIN_WORDS]


def test_seed_text_keeps_every_paragraph_and_drops_boilerplate(seed_text):
    ex = extract_text(seed_text)
    assert ex.title == "North Korea has approximately 20 undeclared missile bases: Report"
    assert ex.published.date().isoformat() == "2019-01-21"
    paragraphs = _seed_paragraphs(seed_text)
    assert len(paragraphs) == 9
    assert ex.body.split("\n\n") == paragraphs
    for phrase in json.loads(SEED_FACTS.read_text())["not_in_body"]:
        assert phrase not in ex.body


def test_seed_page_from_newsroom(newsroom, seed_text):
    seed = next(a for a in load_articles() if a.kind == "seed")
    html = httpx.get(newsroom.base_url + seed.path).content
    ex = extract_html(html, newsroom.base_url + seed.path)
    for paragraph in _seed_paragraphs(seed_text):
        assert paragraph in ex.body
    assert "Update hourly" not in ex.body
    # Every paragraph is a block of its own, in order, and nothing else is in the body.
    assert ex.body.split("\n\n") == _seed_paragraphs(seed_text)
    for clutter in ("Accept all", "Share this story", "Comments", "More from", "All rights reserved"):
        assert clutter not in ex.body
    assert ex.title.startswith("North Korea has approximately 20")
    assert ex.published.isoformat() == "2019-01-21T12:00:00+00:00" and ex.published_source == "jsonld"
    assert ex.language == "en"


@pytest.mark.parametrize("site", ["daily-herald", "metro-wire", "globe-post"])
def test_standard_pages_lose_clutter_and_keep_body(newsroom, site):
    article = next(a for a in load_articles() if a.site == site and a.kind == "standard" and a.comments)
    ex = extract_html(httpx.get(newsroom.base_url + article.path).content)
    for paragraph in article.paragraphs:
        assert paragraph in ex.body
    assert article.comments[0]["text"] not in ex.body
    assert "Advertisement" not in ex.body and "Sign up" not in ex.body
    assert ex.authors == [article.author]
    assert ex.published is not None and not ex.is_truncated


def test_paywalled_teaser_is_flagged(newsroom):
    article = next(a for a in load_articles() if a.kind == "paywalled")
    ex = extract_html(httpx.get(newsroom.base_url + article.path).content)
    assert ex.is_truncated
    assert article.paragraphs[0] in ex.body and article.paragraphs[-1] not in ex.body


def test_video_page_has_no_article_text(newsroom):
    article = next(a for a in load_articles() if a.kind == "video")
    ex = extract_html(httpx.get(newsroom.base_url + article.path).content)
    assert ex.body == "" and ex.body_source == "video_only"


@pytest.mark.parametrize("language", ["de", "es"])
def test_non_english_language(newsroom, language):
    article = next(a for a in load_articles() if a.language == language)
    ex = extract_html(httpx.get(newsroom.base_url + article.path).content)
    assert ex.language == language
    assert guess_language(ex.body) == language  # the fallback agrees with the page's own declaration


@pytest.mark.parametrize("page", [b"", b"<html><body></body></html>", b"\xff\xfe\x00garbage", b"<<<>>>" * 1000])
def test_degenerate_pages_do_not_crash(page):
    ex = extract_html(page)
    assert ex.body == "" and ex.published is None


def test_clean_paragraphs_keeps_mid_body_subheads_and_cjk():
    paras = [
        "First sentence here.",
        "What happens next",
        "Second sentence.",
        "日本語の文です。",
        "Advertisement",
        "Update hourly",
    ]
    assert clean_paragraphs(paras) == [
        "First sentence here.",
        "What happens next",
        "Second sentence.",
        "日本語の文です。",
    ]


def test_str_input_with_xml_declaration_keeps_metadata(newsroom):
    article = next(a for a in load_articles() if a.site == "daily-herald" and a.kind == "standard")
    html = httpx.get(newsroom.base_url + article.path).text
    ex = extract_html('<?xml version="1.0" encoding="utf-8"?>\n' + html)
    assert ex.published is not None and ex.published_source == "jsonld"
    assert article.paragraphs[0] in ex.body
